// How an SSH `exec` string becomes a program, as ContainerSSH does it (the
// same rule for every backend that runs programs in a container or pod): when
// the first word is a path (starts with "/", "./" or "../") the words run
// directly; anything else runs as `/bin/sh -c "<the string>"`.
//
// We split words like a POSIX shell (quotes and backslashes) and hand every
// string with shell syntax (; & | < > $ ` ( ) * ? [ ] ~ # newline) to the
// shell instead of running only its first part: "/bin/echo a; id" runs both
// commands, as an OpenSSH user expects.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csh::program {

std::vector<std::string> program_for_exec(std::string_view command);

}  // namespace csh::program
