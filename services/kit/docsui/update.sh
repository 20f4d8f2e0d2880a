#!/usr/bin/env bash
# Refreshes the vendored Stoplight Elements build that every service's /docs
# page loads (services/kit/docs.go, docs/adr/0017-offline-docs-ui.md).
#
#   services/kit/docsui/update.sh [version]    # or: make docs-ui [ELEMENTS_VERSION=x.y.z]
#
# Without a version it fetches the one named in VERSION again, which must give
# the same files. It takes the package from the npm registry with `npm pack`,
# refuses any licence but Apache-2.0, and stores the web component build
# gzip-compressed (-n: no name or time, so the same input gives the same bytes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:-$(cat "$here/VERSION")}"
pkg="@stoplight/elements@$version"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$pkg" >/dev/null)
tar -xzf "$work"/stoplight-elements-*.tgz -C "$work"
p="$work/package"

license="$(node -p 'require(process.argv[1]).license' "$p/package.json")"
if [ "$license" != "Apache-2.0" ]; then
	echo "docs-ui: $pkg is licensed $license, not Apache-2.0: read it and write an ADR before vendoring it" >&2
	exit 1
fi

# Font Awesome, inside the bundle, adds its stylesheet as an inline <style>,
# which the page's Content-Security-Policy (style-src 'self') refuses. The page
# turns that off (data-auto-add-css="false") and links the same text as a
# file, taken here from the string literal the bundle would have injected.
echo "/* Font Awesome's stylesheet from @stoplight/elements $version; its notice is in web-components.min.js.LICENSE.txt. */" \
	>"$work/fontawesome.css"
node - "$p/web-components.min.js" >>"$work/fontawesome.css" <<'JS'
const src = require('fs').readFileSync(process.argv[2], 'utf8');
const found = [...src.matchAll(/'(:root, :host \{\\n  --fa-font-solid[^']*)'/g)];
if (found.length !== 1) {
	console.error(`docs-ui: ${found.length} copies of Font Awesome's stylesheet in the bundle, want 1: read docs.go`);
	process.exit(1);
}
process.stdout.write(new Function(`return '${found[0][1]}';`)());
JS
gzip -9 -n -c "$work/fontawesome.css" >"$here/fontawesome.css.gz"
gzip -9 -n -c "$p/web-components.min.js" >"$here/web-components.min.js.gz"
gzip -9 -n -c "$p/styles.min.css" >"$here/styles.min.css.gz"
cp "$p/LICENSE" "$here/LICENSE"
cp "$p/web-components.min.js.LICENSE.txt" "$here/web-components.min.js.LICENSE.txt"
echo "$version" >"$here/VERSION"

cp "$work/fontawesome.css" "$p/fontawesome.css"
for f in web-components.min.js styles.min.css fontawesome.css; do
	echo "docs-ui: $f $(wc -c <"$p/$f") bytes, $(wc -c <"$here/$f.gz") gzip-compressed"
done
echo "docs-ui: @stoplight/elements $version vendored; run: cd services/kit && go test -count=1 -run Docs ./..."
