from mock_interview.cli.entry import main

raise SystemExit(main())
