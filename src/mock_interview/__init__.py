"""mock-interview: an offline voice coach for one job-interview opener."""

__version__ = "0.1.0"
