// The backend one run of the conformance suite checks, chosen on the command
// line: how to configure the gateway for it, and how to see what it left
// running.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace csh::conformance {

struct BackendUnderTest {
    std::string name;
    // The configuration after the auth section: `backend: NAME` and the
    // backend's own section.
    std::string config;
    // What the backend still runs for `user`, or for a program whose command
    // line carries `marker` (when not empty): containers, processes. Must be
    // empty once the client is gone.
    std::function<std::vector<std::string>(const std::string& user, const std::string& marker)> left_behind;
    // Whether left_behind sees what the backend runs. A custom backend's
    // probe sees nothing, so the case that checks the probe saw the program
    // running before the client left cannot hold for it and is left out.
    bool sees_what_it_runs = true;
    // A code the backend promises to log when a signal reached the program;
    // empty when it promises none.
    std::string signal_code;
    // Whether the backend forwards client-opened channels (ssh -L, -D, -W)
    // to targets where its programs run; when not, the forwarding cases
    // check that such a channel is refused.
    bool forwards = true;
    // Whether it also listens where its programs run (ssh -R, and ssh -A's
    // socket); when not, those cases are skipped.
    bool listens = false;
};

// The backend named by `--backend=NAME` after `--` on the command line:
//   local                  the test plugin backend-local
//   docker-connection      the Docker backend, one container per connection
//   docker-session         the Docker backend, one container per session
//   kubernetes-connection  the Kubernetes backend against the tests' API
//   kubernetes-session     server (tests/kube-api-server): a pod per
//   kubernetes-persistent  connection, per session, or one pod for all
//   custom                 `--config=FILE` holds the backend's part of the
//                          configuration, `--plugin-dir=DIR` (repeatable)
//                          where its plugin is; `--no-forwarding` when it
//                          does not forward
// Throws std::invalid_argument with the usage when the command line names none.
BackendUnderTest choose_backend(int argc, char** argv);

// The one chosen for this run (set by the suite's global fixture).
const BackendUnderTest& backend_under_test();
void set_backend_under_test(BackendUnderTest backend);

}  // namespace csh::conformance
