# Fetching files from Debian's own arm64 packages into a cache directory,
# shared by tools/fetch-rpi4-files.sh, tools/fetch-linux.sh and
# tools/fetch-qemu10.sh (sourced, not run). The caller sets fetch_name (its
# name, for messages), sources this file and calls fetch_cache_dir "$@",
# which sets:
#   cache       the cache directory (absolute), and work="$cache/.work"
#   versions    the file that records which package versions were used
# Packages come through the host's apt configuration when it can (the arm64
# architecture enabled, as tools/install-deps.sh does), else through a
# private, temporary apt configuration: its own sources list (bookworm main
# and security, arm64) and package lists, under $work. The host's apt setup
# and lists are never changed. Needs no root.

# The caller's one argument, CACHE_DIR: made if need be, and made absolute.
fetch_cache_dir() {
	[ $# -eq 1 ] || { echo "usage: $fetch_name.sh CACHE_DIR" >&2; exit 1; }
	mkdir -p "$1"
	cache=$(cd "$1" && pwd)
	work="$cache/.work"
	versions="$cache/versions.txt"
}

die() {
	echo "$fetch_name: $*" >&2
	exit 1
}
say() { echo "$fetch_name: $*"; }

for tool in apt-get apt-cache dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "needs $tool (Debian's apt and dpkg): these files come from Debian packages"
done

# apt drops to the unprivileged _apt user to download when run as root; that
# user cannot write into a build directory, so downloads run as ourselves.
apt_opts=(-q -o APT::Sandbox::User="$(id -un)")

record() { # package version -> versions.txt (one line per package)
	touch "$versions"
	grep -v "^$1 " "$versions" >"$versions.tmp" || true
	echo "$1 $2" >>"$versions.tmp"
	sort "$versions.tmp" >"$versions"
	rm -f "$versions.tmp"
}

# The Debian mirror the host already uses for a suite (deb.debian.org if none).
mirror_for() { # suite default
	local uri
	# shellcheck disable=SC2016 # apt's own $(FIELD) syntax, not the shell's
	uri=$(apt-get indextargets --format '$(CODENAME) $(REPO_URI)' 2>/dev/null |
		awk -v suite="$1" '$1 == suite { print $2; exit }')
	echo "${uri:-$2}"
}

# A private apt configuration in $work/apt-$1 whose sources are the
# remaining arguments (sources.list lines), for the architecture $apt_arch
# (arm64 unless the caller says otherwise); sets private_opts to the apt
# options that use it, after reading its package lists once.
private_apt() {
	local name=$1 arch=${apt_arch:-arm64}
	shift
	local dir="$work/apt-$name" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	private_opts=(-o Dir::Etc::SourceList="$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$dir/lists"
		-o Dir::Cache="$dir/cache"
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		-o APT::Architecture="$arch" -o APT::Architectures::="$arch")
	[ -f "$dir/updated" ] && return 0
	rm -rf "$dir"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	local signed=""
	[ -f "$keyring" ] && signed="[arch=$arch signed-by=$keyring] "
	[ -n "$signed" ] || signed="[arch=$arch] "
	for line in "$@"; do echo "deb $signed$line"; done >"$dir/sources.list"
	apt-get "${apt_opts[@]}" "${private_opts[@]}" update >"$dir/update.log" 2>&1 || {
		cat "$dir/update.log" >&2
		return 1
	}
	touch "$dir/updated"
}

# Bookworm's main and security archives for arm64, privately.
private_main() {
	private_apt main "$(mirror_for bookworm http://deb.debian.org/debian/) bookworm main" \
		"$(mirror_for bookworm-security http://deb.debian.org/debian-security/) bookworm-security main" ||
		die "could not read bookworm's package lists (see above)"
}

# Downloads package $1 into $work with the given extra apt options;
# returns non-zero (the log in $work/<name>.log) when apt cannot.
download() {
	local pkg=$1
	shift
	local name=${pkg%%:*}
	rm -rf "${work:?}/$name" "$work/${name}"_*.deb
	mkdir -p "$work"
	(cd "$work" && apt-get "${apt_opts[@]}" "$@" download "$pkg" >"$work/$name.log" 2>&1)
}

# Downloads and unpacks an arm64 package into $work/<name>: through the
# host's apt if it can, else through the private bookworm configuration.
fetch_arm64() {
	local pkg=$1 name=${1%%:*}
	if ! download "$pkg"; then
		say "the host's apt could not download $pkg; using bookworm's lists instead"
		private_main
		download "$pkg" "${private_opts[@]}" || {
			cat "$work/$name.log" >&2
			die "apt-get download $pkg failed (see above)"
		}
	fi
	unpack "$name"
}

unpack() { # name: the .deb downloaded into $work
	dpkg-deb -x "$work/${1}"_*.deb "$work/$1"
	record "$1" "$(dpkg-deb -f "$work/${1}"_*.deb Version)"
}

# Copies $2 (a file in an unpacked package) to $cache/$1, or fails naming it.
take() {
	[ -f "$2" ] || die "expected $2 in the package, it is not there"
	cp "$2" "$cache/$1.tmp"
	mv "$cache/$1.tmp" "$cache/$1"
}


# The kernel package (linux-image-<abi>-<flavour>) that metapackage $1
# (linux-image-arm64, linux-image-cloud-arm64) depends on now; more
# arguments are apt options. The ABI number moves with security updates:
# never name it.
kernel_of() {
	local meta=$1
	shift
	apt-cache "$@" depends "$meta:arm64" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ :]*-arm64\).*/\1/p' | head -n 1
}
