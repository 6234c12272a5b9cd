#!/usr/bin/env bash
# Debian packages the test suite needs, installed by the project (never by hand).
# Each entry: a command that must exist, and the package that provides it.
set -euo pipefail
need=()
check() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
# (command package) pairs are added here by the features that need them.
check chromium chromium                      # tests/test_browser.py drives it with Playwright
check javac openjdk-17-jdk-headless          # tests/test_owl_profile.py compiles its OWL API checker
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)  # the OWL 2 DL profile checker
fc-list 2>/dev/null | grep -qi "wqy" || need+=(fonts-wqy-zenhei fontconfig)  # Chinese glyphs in screenshots
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
