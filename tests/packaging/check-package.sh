#!/usr/bin/env bash
# Builds the Debian package, checks what is in it, installs it, uses the installed files as a
# person would (menu entry, icon, manual page, command line, window, image helper) and removes it
# again. Registered with ctest under the label "packaging" (tests/packaging/CMakeLists.txt).
#
#   tests/packaging/check-package.sh BUILD_DIR VERSION [CPACK]
#
# It installs system-wide, so it needs root: without root it fails, it never skips.
set -euo pipefail

BUILD_DIR=$(readlink -f "${1:?usage: check-package.sh BUILD_DIR VERSION [CPACK]}")
VERSION="${2:?usage: check-package.sh BUILD_DIR VERSION [CPACK]}"
CPACK="${3:-cpack}"
PACKAGE=codecourier
APP_ID=org.codecourier.CodeCourier
ICON_SIZES=(16 32 48 64 128 256 512)

say() { echo "check-package: $*"; }
fail() { echo "check-package: FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] ||
    fail "this test installs the package with dpkg -i, which needs root: run it as root (as ./dev.sh test in CI)."
for tool in "$CPACK" dpkg-deb desktop-file-validate appstreamcli man col xvfb-run file; do
    command -v "$tool" >/dev/null || fail "$tool is missing: ./dev.sh setup installs everything this test needs."
done
[[ -f "$BUILD_DIR/CPackConfig.cmake" ]] || fail "$BUILD_DIR/CPackConfig.cmake is missing: configure the build first."

work=$(mktemp -d /var/tmp/codecourier-package.XXXXXX)
installed_before=0
dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed" && installed_before=1
we_installed=0
cleanup() {
    if [[ $we_installed -eq 1 && $installed_before -eq 0 ]]; then
        dpkg -r "$PACKAGE" >"$work/remove.log" 2>&1 ||
            { cat "$work/remove.log" >&2; echo "check-package: dpkg -r $PACKAGE failed" >&2; }
    fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# --- Build ------------------------------------------------------------------------------------
say "building the package with cpack"
"$CPACK" --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log" >&2; fail "cpack failed (its output is above)."; }
debs=("$work"/out/*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] ||
    { cat "$work/cpack.log" >&2; fail "cpack made ${#debs[@]} .deb files, not one."; }
deb="${debs[0]}"
say "package: ${deb##*/}, $(stat -c %s "$deb") bytes"

field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == "$PACKAGE" ]] || fail "the package is called '$(field Package)', not $PACKAGE."
[[ "$(field Version)" == "$VERSION" ]] || fail "the package's version is '$(field Version)', the project's is $VERSION."
depends=$(field Depends)
say "Depends: $depends"
say "Recommends: $(field Recommends)"
say "Suggests: $(field Suggests)"
# Computed by dpkg-shlibdeps from the binary, not written by hand: these only appear when it ran.
depends_names=$(awk -F'[,|]' '{for (i = 1; i <= NF; i++) { split($i, w, " "); print w[1] }}' <<<"$depends")
for lib in libc6 libqt6core6 libqt6widgets6 libcurl4 libqt6keychain1; do
    grep -qxF "$lib" <<<"$depends_names" || fail "Depends lacks $lib: was dpkg-shlibdeps run?"
done
# Named by hand: the SQL driver plugin Qt loads at run time, which dpkg-shlibdeps cannot see.
grep -qxF libqt6sql6-sqlite <<<"$depends_names" || fail "Depends lacks libqt6sql6-sqlite, the run history's driver."

# --- Contents -----------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
expected=(
    ./usr/bin/codecourier
    ./usr/bin/codecourier-build-images
    "./usr/share/applications/$APP_ID.desktop"
    "./usr/share/metainfo/$APP_ID.metainfo.xml"
    "./usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
    ./usr/share/man/man1/codecourier.1.gz
    ./usr/share/man/man1/codecourier-build-images.1.gz
    ./usr/share/codecourier/images/build-images.sh
    ./usr/share/doc/codecourier/changelog.gz
)
for size in "${ICON_SIZES[@]}"; do expected+=("./usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"); done
for path in "${expected[@]}"; do
    grep -qxF "$path" "$work/contents" || fail "the package lacks $path."
done
stray=$(grep -v '^\./usr/\(bin\|share\)/' "$work/contents" | grep -vx '\./\|\./usr/\|\./usr/share/' || true)
[[ -z "$stray" ]] || fail "the package installs outside /usr/bin and /usr/share: $stray"

dpkg-deb -x "$deb" "$work/root"
file "$work/root/usr/bin/codecourier" | grep -q ', stripped' || fail "/usr/bin/codecourier is not stripped."
for size in "${ICON_SIZES[@]}"; do
    png="$work/root/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
    # The PNG header: signature, then the IHDR chunk with width and height (big-endian).
    read -r w h < <(od -An -tu1 -j16 -N8 "$png" |
                    awk '{print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8}')
    [[ "$w" == "$size" && "$h" == "$size" ]] || fail "the ${size}x${size} icon is ${w}x${h}."
done

# --- Validation ---------------------------------------------------------------------------------
say "desktop-file-validate $APP_ID.desktop"
desktop-file-validate "$work/root/usr/share/applications/$APP_ID.desktop" ||
    fail "desktop-file-validate rejects the desktop file (above)."
say "appstreamcli validate $APP_ID.metainfo.xml"
appstreamcli validate --no-net "$work/root/usr/share/metainfo/$APP_ID.metainfo.xml" ||
    fail "appstreamcli rejects the metainfo (above)."
metainfo="$work/root/usr/share/metainfo/$APP_ID.metainfo.xml"
release=$(grep -o '<release version="[^"]*"' "$metainfo" | head -n1 | cut -d'"' -f2)
[[ "$release" == "$VERSION" ]] || fail "the metainfo's newest release is '$release', the project's version is $VERSION."
changelog=$(zcat "$work/root/usr/share/doc/codecourier/changelog.gz" | head -n1)
[[ "$changelog" == "$PACKAGE ($VERSION) "* ]] || fail "the changelog starts with '$changelog', not $PACKAGE ($VERSION)."

# --- Installation -------------------------------------------------------------------------------
say "installing with dpkg -i (installed before: $([[ $installed_before -eq 1 ]] && echo yes || echo no))"
we_installed=1
if ! dpkg -i "$deb" >"$work/install.log" 2>&1; then
    say "dpkg -i left dependencies open; apt-get -f install"
    DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq >>"$work/install.log" 2>&1 || true
fi
dpkg-query -W -f='${Status} ${Version}' "$PACKAGE" 2>/dev/null | grep -qx "install ok installed $VERSION" ||
    { cat "$work/install.log" >&2; fail "$PACKAGE $VERSION is not installed after dpkg -i (log above)."; }

# Everything below uses the installed files. Settings, history and autosave go to the test's own
# folders, so that a person's files are neither read nor changed.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset QT_QPA_PLATFORM CODECOURIER_HISTORY

version_line=$(/usr/bin/codecourier --version) || fail "codecourier --version failed."
say "$version_line"
[[ "$version_line" == "codecourier $VERSION "* ]] || fail "codecourier --version says '$version_line', not $VERSION."

say "codecourier doctor"
/usr/bin/codecourier doctor >"$work/doctor.log" 2>&1 ||
    { cat "$work/doctor.log" >&2; fail "codecourier doctor is not satisfied (above)."; }
sed 's/^/    /' "$work/doctor.log"

# The manual page renders without a warning and documents every option the help texts name.
man_file=/usr/share/man/man1/codecourier.1.gz
if [[ ! -f "$man_file" ]]; then
    # dpkg may be told to leave out manual pages (path-exclude in /etc/dpkg/dpkg.cfg.d, as in
    # minimal container images); the page in the package is checked then.
    grep -rqs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d ||
        fail "$man_file is missing after installation."
    say "dpkg excludes /usr/share/man here: checking the manual pages inside the package"
    man_file="$work/root/usr/share/man/man1/codecourier.1.gz"
fi
for page in "$man_file" "${man_file%/*}/codecourier-build-images.1.gz"; do
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
    [[ -z "$warnings" ]] || fail "${page##*/} renders with warnings: $warnings"
done
# Wide lines: no option is hyphenated across a line break.
LC_ALL=C.UTF-8 MANWIDTH=1000 man -l "$man_file" 2>/dev/null | col -bx |
    sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g' >"$work/man.txt"
for section in SYNOPSIS COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES; do
    grep -qx "$section" "$work/man.txt" || fail "the manual page has no $section section."
done
for help in "--help" "run --help" "extract --help" "history --help"; do
    # shellcheck disable=SC2086 # the words of $help are the arguments
    /usr/bin/codecourier $help >>"$work/help.txt" || fail "codecourier $help failed."
done
missing=()
while read -r option; do
    grep -qF -- "$option" "$work/man.txt" || missing+=("$option")
done < <(grep -oE -- '--[a-z][a-z-]*[a-z]' "$work/help.txt" | sort -u)
[[ ${#missing[@]} -eq 0 ]] || fail "the manual page does not mention ${missing[*]}, which --help names."
say "manual pages render cleanly and name every option of --help"

# The menu entry's command and icon resolve to installed files.
desktop=/usr/share/applications/$APP_ID.desktop
[[ -f "$desktop" ]] || fail "$desktop is not installed."
desktop-file-validate "$desktop" || fail "desktop-file-validate rejects the installed $desktop (above)."
exec_line=$(sed -n 's/^Exec=//p' "$desktop" | head -n1)
icon_name=$(sed -n 's/^Icon=//p' "$desktop" | head -n1)
exec_word=${exec_line%% *}
exec_path=$(command -v -- "$exec_word") || fail "the desktop entry runs '$exec_word', which is not on PATH."
[[ "$(readlink -f "$exec_path")" == /usr/bin/codecourier ]] ||
    fail "the desktop entry's '$exec_word' resolves to $exec_path, not /usr/bin/codecourier."
[[ "$icon_name" == "$APP_ID" ]] || fail "the desktop entry's icon is '$icon_name', not $APP_ID."
[[ -f /usr/share/icons/hicolor/scalable/apps/$icon_name.svg ]] ||
    fail "the icon $icon_name has no scalable SVG in hicolor."
for size in "${ICON_SIZES[@]}"; do
    [[ -s /usr/share/icons/hicolor/${size}x${size}/apps/$icon_name.png ]] ||
        fail "the icon $icon_name has no ${size}x${size} PNG in hicolor."
done
say "desktop entry: Exec=$exec_line -> $exec_path, Icon=$icon_name -> hicolor (scalable + ${#ICON_SIZES[@]} sizes)"

# The installed app opens its window on an X server and renders it.
say "xvfb-run $exec_path --screenshot"
timeout 180 xvfb-run -a -s "-screen 0 1280x900x24" "$exec_path" --screenshot "$work/window.png" \
    >"$work/gui.log" 2>&1 ||
    { cat "$work/gui.log" >&2; fail "the installed app did not render its window (log above)."; }
signature=$(head -c 8 "$work/window.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
[[ -s "$work/window.png" && "$signature" == 89504e470d0a1a0a ]] ||
    fail "the installed app wrote no PNG."
say "window rendered: $(file -b "$work/window.png")"

# The image helper works from where the package put it: the image exists, so it says so.
/usr/bin/codecourier-build-images >"$work/images.log" 2>&1 ||
    { cat "$work/images.log" >&2; fail "codecourier-build-images failed (above)."; }
grep -q 'exists, skipping' "$work/images.log" ||
    { cat "$work/images.log" >&2; fail "codecourier-build-images did not find the existing image."; }
say "$(cat "$work/images.log")"
status=0
/usr/bin/codecourier-build-images --no-such-option >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "codecourier-build-images took an unknown option (exit status $status, not 2)."

# --- Removal ------------------------------------------------------------------------------------
if [[ $installed_before -eq 0 ]]; then
    dpkg -r "$PACKAGE" >"$work/remove.log" 2>&1 ||
        { cat "$work/remove.log" >&2; fail "dpkg -r $PACKAGE failed."; }
    we_installed=0
    [[ ! -e /usr/bin/codecourier && ! -e $desktop ]] ||
        fail "dpkg -r left /usr/bin/codecourier or the desktop entry behind."
    say "removed again"
else
    say "$PACKAGE was installed before this test: left installed, now at $VERSION"
fi
say "PASS"
