#!/usr/bin/env bash
# Debian packages the test suite needs, installed by the project (never by hand).
# Each entry: a command that must exist, and the package that provides it.
set -euo pipefail
need=()
check() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
# (command package) pairs are added here by the features that need them.
check chromium chromium                      # tests/test_browser.py drives it with Playwright
[ -x /usr/sbin/apache2 ] || need+=(apache2)   # tests/test_w3id.py runs the w3id .htaccess on a real httpd
check rapper raptor2-utils                   # tests/test_linked_data.py parses every served document
check curl curl                              # tests/test_w3id.py follows the w3id redirects with curl
check virtuoso-t virtuoso-opensource         # tests/test_store_virtuoso.py: push and --store sparql: on a second store
check javac openjdk-17-jdk-headless          # tests/test_owl_profile.py compiles its OWL API checker
[ -f /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)  # the OWL 2 DL profile checker
fc-list 2>/dev/null | grep -qi "wqy" || need+=(fonts-wqy-zenhei fontconfig)  # Chinese glyphs in screenshots
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$SUDO" ] && ! sudo -n true 2>/dev/null; }; then
    # Not Debian, or no root: the suite still runs; the tests that need these tools skip and say why.
    # The packages go to stdout for scripts/test.sh ($CCUS_KG_UNINSTALLABLE); anywhere else a missing tool fails.
    echo "system-deps: cannot install ${need[*]} here (no apt-get, or no root); tests that need them will skip" >&2
    echo "${need[*]}"
    exit 0
  fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
