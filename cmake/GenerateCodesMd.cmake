# Writes OUTPUT: a title, a short introduction, the table printed by
# `BINARY --list-codes` (the core and the plugins in PLUGIN_DIR, the ones
# shipped with it), then the example server's table (`EXAMPLE_SERVER --list-codes`).
execute_process(
  COMMAND ${BINARY} --list-codes --plugin-dir ${PLUGIN_DIR}
  OUTPUT_VARIABLE table
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "containerssh --list-codes failed (${rc})")
endif()
execute_process(
  COMMAND ${EXAMPLE_SERVER} --list-codes
  OUTPUT_VARIABLE example_table
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXAMPLE_SERVER} --list-codes failed (${rc})")
endif()
file(WRITE ${OUTPUT} "# Message codes\n\n"
  "Every log line carries one of these codes. This page is generated from\n"
  "`containerssh --list-codes` with the plugins shipped with it; run it yourself to include the\n"
  "codes of the plugins you installed. Levels are syslog severities; a line is written when its\n"
  "level is at or above `log.level` (default `notice`). A code listed under two modules is the\n"
  "table of a library both plugins link in (the webhook client).\n\n"
  "${table}\n"
  "## Example auth and configuration server\n\n"
  "Codes of `containerssh-auth-config-server` ([examples/auth-config-server](../examples/auth-config-server/README.md)),\n"
  "a separate program with its own log.\n\n"
  "${example_table}")
