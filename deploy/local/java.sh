# Sourced by deploy/local/up and .ci/run: prints the home of a JDK 21+ (virtual threads), preferring JAVA_HOME,
# then the newest under /usr/lib/jvm. Returns 1 when there is none.
find_java() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    if [ "${version%%.*}" -ge 21 ] 2>/dev/null; then
      echo "${candidate%/}"
      return 0
    fi
  done
  return 1
}
