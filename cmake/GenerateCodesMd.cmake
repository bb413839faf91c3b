# Writes OUTPUT: a title, a short introduction and the table printed by
# `BINARY --list-codes` (core codes and those of the plugins installed with it).
execute_process(
  COMMAND ${BINARY} --list-codes --plugin-dir /nonexistent
  OUTPUT_VARIABLE table
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "containerssh --list-codes failed (${rc})")
endif()
file(WRITE ${OUTPUT} "# Message codes\n\n"
  "Every log line carries one of these codes. This page is generated from\n"
  "`containerssh --list-codes`; run it yourself to include the codes of the plugins you\n"
  "installed. Levels are syslog severities; a line is written when its level is at or above\n"
  "`log.level` (default `notice`).\n\n"
  "${table}")
