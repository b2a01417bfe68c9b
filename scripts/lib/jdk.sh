# Sourced by Cohort's scripts: finds a JDK of version 25 or newer and exports JAVA_HOME.
# Order: $JAVA_HOME, then /usr/lib/jvm/*, then the java on PATH.

cohort_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1
}

cohort_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(cohort_java_major "$candidate")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "error: Cohort needs a JDK of version 25 or newer (javac included); none found in \$JAVA_HOME," \
       "/usr/lib/jvm or on PATH. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
