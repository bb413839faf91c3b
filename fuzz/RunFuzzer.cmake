# Runs one fuzz target for a bounded time from its committed seed corpus (the
# ctest tests fuzz_<name>). New inputs go to a scratch corpus in the build
# tree, emptied first, so the source tree is never written and every run
# starts from the same seeds; a crash input is written under WORK/artifacts.
# Fails when libFuzzer exits non-zero (crash, leak, timeout, sanitizer report).
foreach(var FUZZER SEEDS WORK RUNS SECONDS SUPPRESSIONS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "RunFuzzer.cmake needs -D${var}=...")
  endif()
endforeach()
# Leaks of third-party libraries we cannot fix (lsan.supp says which).
set(ENV{LSAN_OPTIONS} "suppressions=${SUPPRESSIONS}")
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
execute_process(
  COMMAND ${FUZZER} -seed=1 -runs=${RUNS} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 -artifact_prefix=${WORK}/artifacts/
          ${WORK}/corpus ${SEEDS}
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(GLOB artifacts ${WORK}/artifacts/*)
  message(FATAL_ERROR "${FUZZER} failed (${result}); the input: ${artifacts}\n"
                      "Reproduce with: ${FUZZER} <input>; see fuzz/README.md for turning it into a regression file.")
endif()
