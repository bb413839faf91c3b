// What the security policy says about one decoded channel request: let it
// through, refuse it (with the code, the item and the words for the log and
// the user), or replace it with the forced command. Pure: SessionChannel
// does the refusing, logging and auditing at its one seam (submit).
#pragma once

#include "security/policy.hpp"
#include "ssh/channel_request.hpp"

#include <string>

namespace csh::ssh {

struct PolicyVerdict {
    enum class Action { pass, refuse, force_command };
    Action action = Action::pass;

    // refuse: the SECURITY_* code, the log field naming the item ("env",
    // "command", "subsystem", "signal"; empty for shell and tty) and the item
    // itself. Never an env variable's value: it may be a secret.
    const char* code = nullptr;
    std::string item_field;
    std::string item;
    // For the log line and the audit stream.
    std::string reason;
    // One line for the channel's stderr where a human waits for a program
    // (shell, exec, subsystem); empty otherwise.
    std::string user_message;

    // force_command: what SSH_ORIGINAL_COMMAND gets (the exec string or the
    // subsystem's name), unless the request was a shell, which asked for no
    // command and gets none (as OpenSSH).
    bool set_original_command = false;
    std::string original_command;
};

PolicyVerdict judge(const security::Policy& policy, const ChannelRequest& request);

}  // namespace csh::ssh
