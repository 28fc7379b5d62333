# Sourced by deploy/local/up and ./test (and so by .ci/run): the one list of what Tally's two commands need from
# the machine, and how they get it. As root, missing Debian packages are installed (apt-get update first: a new
# machine's package lists may be empty); otherwise, or when that fails, one line names the exact command to run and
# the caller stops.
#
#   needs_ensure run        the local topology with Nginx: redis-server, curl, nginx, openssl, envsubst
#   needs_ensure run-bare   the local topology without Nginx (TALLY_NGINX=off)
#   ... external-redis      as a second word: Redis is given (TALLY_REDIS_URL), so redis-server is not needed
#   needs_ensure test       everything the test suite starts or calls: the above, plus docker-compose, h2load, chromium
#                           and its driver, locust with python3's websocket and matplotlib (the soak's short run),
#                           and kubectl and Node.js 20+ with npm (not Debian packages here)

# command:Debian package, for every binary the commands start or call
needs_run_bare=(redis-server:redis-server curl:curl)
needs_nginx=(nginx:nginx openssl:openssl envsubst:gettext-base)
needs_test_packages=(docker-compose:docker-compose chromium:chromium chromedriver:chromium-driver h2load:nghttp2-client
  locust:python3-locust py/websocket:python3-websocket py/matplotlib:python3-matplotlib) # py/M: a python3 module (SoakShortRunIT)
# KubernetesManifestsTest renders k8s/ with kubectl >= 1.27 (kustomize v5) and validates it with Node.js 20+ (npm ci).
needs_test_tools=(kubectl node npm)

needs_say() { printf 'tally: %s\n' "$*" >&2; }

# needs_missing VAR EXTERNAL_REDIS COMMAND:PACKAGE...: sets the array VAR to the packages whose command is not found.
needs_missing() {
  local -n into=$1
  local external=$2 need
  shift 2
  into=()
  for need in "$@"; do
    [ "$external" = external-redis ] && [ "$need" = redis-server:redis-server ] && continue
    if [[ "$need" == py/* ]]; then
      local module=${need%%:*}
      /usr/bin/python3 -c "import ${module#py/}" >/dev/null 2>&1 || into+=("${need##*:}")
    else
      command -v "${need%%:*}" >/dev/null 2>&1 || into+=("${need##*:}")
    fi
  done
}

# needs_ensure run|run-bare|test [external-redis]: returns 0 when everything is there (installing packages first as
# root), else 1.
needs_ensure() {
  local wanted=() missing=() tools=() need
  case "$1" in
    run-bare) wanted=("${needs_run_bare[@]}") ;;
    run) wanted=("${needs_run_bare[@]}" "${needs_nginx[@]}") ;;
    test) wanted=("${needs_run_bare[@]}" "${needs_nginx[@]}" "${needs_test_packages[@]}"); tools=("${needs_test_tools[@]}") ;;
    *) needs_say "needs_ensure: unknown set '$1'"; return 1 ;;
  esac
  needs_missing missing "${2:-}" "${wanted[@]}"
  if [ ${#missing[@]} -gt 0 ] && [ "$EUID" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    needs_say "installing ${missing[*]} (apt-get)"
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}" >&2
    needs_missing missing "${2:-}" "${wanted[@]}"
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$EUID" -eq 0 ] || sudo="sudo "
    needs_say "missing ${missing[*]}; install with: ${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${missing[*]}"
    return 1
  fi
  for need in "${tools[@]}"; do
    command -v "$need" >/dev/null 2>&1 || { needs_say "missing $need: kubectl >= 1.27 and Node.js 20+ with npm are needed by the Kubernetes checks (docs/deploying.md)"; return 1; }
  done
}
