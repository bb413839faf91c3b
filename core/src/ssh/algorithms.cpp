#include "ssh/algorithms.hpp"

#include "config/ssh_algorithms.hpp"

#include <libssh/libssh.h>

#include <memory>

namespace csh::ssh {

bool libssh_implements(const config::detail::AlgorithmFamily& family, const std::string& name) {
    // libssh refuses a list in which it implements no name; a session is
    // never connected, only its options are set.
    const std::unique_ptr<ssh_session_struct, decltype(&ssh_free)> session(ssh_new(), &ssh_free);
    if (!session) return false;
    const ssh_options_e option = family.key == "kex"       ? SSH_OPTIONS_KEY_EXCHANGE
                                 : family.key == "ciphers" ? SSH_OPTIONS_CIPHERS_C_S
                                                           : SSH_OPTIONS_HMAC_C_S;
    return ssh_options_set(session.get(), option, name.c_str()) == SSH_OK;
}

AlgorithmChoice choose_algorithms(const config::detail::AlgorithmFamily& family,
                                  const std::vector<std::string>& configured) {
    AlgorithmChoice choice;
    for (const auto& name : configured) {
        if (!family.implemented(name) || !libssh_implements(family, name)) {
            choice.dropped.push_back(name);
            continue;
        }
        if (family.is_weak(name)) choice.weak_offered.push_back(name);
        if (!choice.offered.empty()) choice.offered += ',';
        choice.offered += name;
    }
    return choice;
}

}  // namespace csh::ssh
