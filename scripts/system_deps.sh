#!/usr/bin/env bash
# Installs the system libraries the app uses (PortAudio for the microphone, eSpeak NG for speech)
# and strace for the tests,
# where that can be done without a password prompt; otherwise prints the command and carries on.
set -u
missing=()
ldconfig -p 2>/dev/null | grep -q libportaudio.so && true || missing+=(libportaudio2)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
# The tests watch the network of the whole process tree with strace (Linux only).
[ "$(uname -s)" = Linux ] && ! command -v strace >/dev/null 2>&1 && missing+=(strace)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      && exit 0
  elif sudo -n true 2>/dev/null; then
    sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
  fi
  echo "mock-interview: optional system packages missing; install with: sudo apt-get install ${missing[*]}" >&2
elif command -v brew >/dev/null 2>&1; then
  brew install portaudio espeak-ng >/dev/null && exit 0
  echo "mock-interview: optional system packages missing; install with: brew install portaudio espeak-ng" >&2
else
  echo "mock-interview: optional system packages missing: ${missing[*]} (install them with your package manager)" >&2
fi
exit 0
