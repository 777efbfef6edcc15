#!/usr/bin/env bash
# Installs the Debian packages sheetbill needs, only when they are missing.
#   run:  pango (WeasyPrint renders PDFs with it) and the Noto fonts (every script)
#   test: LibreOffice (the second reader of written workbooks) and poppler (pdftotext)
#   bench: Chromium, the baseline the PDF benchmark prints the same invoices with
set -euo pipefail
need=()
# The library list is read whole first: `ldconfig -p | grep -q` fails now and then under
# pipefail, when grep stops reading early and ldconfig dies of SIGPIPE.
libs="$(ldconfig -p 2>/dev/null || true)"
has_lib() { grep -qF "$1" <<<"$libs"; }
case "${1:-run}" in
  run)
    has_lib 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
    has_lib 'libharfbuzz-subset.so' || need+=(libharfbuzz-subset0)
    command -v fc-list >/dev/null && [ -n "$(fc-list 2>/dev/null | head -1)" ] || need+=(fontconfig fonts-dejavu-core)
    # The fonts every PDF prints with (sheetbill/documents/fonts.py lists the files).
    [ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || need+=(fonts-noto-core)
    [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
    ;;
  test)
    command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
    command -v pdftotext >/dev/null || need+=(poppler-utils)
    ;;
  bench)
    [ -x /usr/bin/chromium ] || need+=(chromium)
    ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing missing system packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -q >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
else
  echo "Please install them first (needs administrator rights):" >&2
  echo "  sudo apt-get install ${need[*]}" >&2
  exit 1
fi
