#!/usr/bin/env bash
# Refresh the vendored browser assets from the npm registry (a maintainer's step, not a newcomer's:
# the files are committed, so neither `make install` nor CI needs npm or the network).
#   src/jha_graph/static/vendor/update.sh [yasgui-version] [swagger-ui-version]
# The one change made to the upstream files: the trailing sourceMappingURL comment is removed (the
# .map files are not vendored, and a browser's developer tools would otherwise ask for them).
set -euo pipefail
YASGUI=${1:-4.6.2}
SWAGGER=${2:-5.35.0}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@zazuko/yasgui@$YASGUI" "swagger-ui-dist@$SWAGGER" >/dev/null
mkdir y s
tar xzf zazuko-yasgui-"$YASGUI".tgz -C y
tar xzf swagger-ui-dist-"$SWAGGER".tgz -C s
strip_map() { sed -i -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$1"; }
mkdir -p "$here/yasgui" "$here/swagger-ui"
cp y/package/build/yasgui.min.js y/package/build/yasgui.min.css "$here/yasgui/"
cp s/package/swagger-ui-bundle.js s/package/swagger-ui.css s/package/LICENSE s/package/NOTICE "$here/swagger-ui/"
for f in "$here"/yasgui/yasgui.min.js "$here"/yasgui/yasgui.min.css "$here"/swagger-ui/swagger-ui-bundle.js \
         "$here"/swagger-ui/swagger-ui.css; do strip_map "$f"; done
echo "@zazuko/yasgui $YASGUI, swagger-ui-dist $SWAGGER; update the versions and checksums in $here/README.md:"
(cd "$here" && sha256sum yasgui/yasgui.min.js yasgui/yasgui.min.css swagger-ui/swagger-ui-bundle.js swagger-ui/swagger-ui.css)
