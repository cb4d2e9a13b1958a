#!/usr/bin/env bash
# Re-fetches the libraries Goaddon preloads, at Goaddon's exact versions, from
# the npm registry (`npm pack`), keeping only the dist files goakit embeds and
# each package's licence. Run from anywhere; rewrites theme/vendor/<pkg>-<ver>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

fetch() { # fetch <npm spec> <folder> <files...> (paths inside the package)
  local spec=$1 dest=$2; shift 2
  (cd "$tmp" && rm -rf package && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz && rm ./*.tgz)
  rm -rf "${here:?}/$dest"
  for f in "$@"; do
    mkdir -p "$here/$dest/$(dirname "$f")"
    cp "$tmp/package/$f" "$here/$dest/$f"
  done
  rm -rf "$tmp/package"
}

fetch bootstrap@4.3.1 bootstrap-4.3.1 LICENSE dist/css/bootstrap.min.css dist/js/bootstrap.min.js
fetch jquery@3.3.1 jquery-3.3.1 LICENSE.txt dist/jquery.min.js
# popper.min.js carries no version string: keep package.json as the proof.
fetch popper.js@1.14.7 popper.js-1.14.7 dist/umd/popper.min.js package.json
# popper.js 1.14.7 publishes no licence file, only "license": "MIT" in package.json
# and a copyright line in its README; write the MIT text with that copyright.
(cd "$tmp" && npm pack --silent popper.js@1.14.7 >/dev/null && tar xzf ./*.tgz && rm ./*.tgz)
{
  grep -m1 'copyright [0-9]' "$tmp/package/README.md" | sed 's/\*\*//g'
  cat <<'MIT'

The MIT License (MIT)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT
} > "$here/popper.js-1.14.7/LICENSE.md"
rm -rf "$tmp/package"
(cd "$tmp" && npm pack --silent @fortawesome/fontawesome-free@5.4.2 >/dev/null && tar xzf ./*.tgz && rm ./*.tgz)
rm -rf "$here/fontawesome-free-5.4.2"
mkdir -p "$here/fontawesome-free-5.4.2/css"
cp "$tmp/package/css/all.min.css" "$here/fontawesome-free-5.4.2/css/"
cp -r "$tmp/package/webfonts" "$here/fontawesome-free-5.4.2/webfonts"
cp "$tmp/package/LICENSE.txt" "$here/fontawesome-free-5.4.2/LICENSE.txt"
echo "theme/vendor refreshed"
