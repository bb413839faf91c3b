// The pod create body for each mode, the label values, and the agent's
// console command.
#include <boost/test/unit_test.hpp>

#include "console_command.hpp"
#include "label_values.hpp"
#include "pod_manifest.hpp"
#include "test_support.hpp"

#include <simdjson.h>

using namespace backend_kubernetes;
using namespace kubernetes_test;
using Argv = std::vector<std::string>;

namespace {

PodSettings pod_of(const std::string& json) { return KubernetesConfig::from_section(json, kCode).pod; }

PodRequest request_for(const PodSettings& pod) {
    PodRequest request;
    request.connection_id = "0123456789abcdef0123456789abcdef";
    request.username = "alice";
    request.remote_ip = "2001:db8::7";
    request.instance_id = "gw-1";
    request.console_command = pod.idle_command;
    return request;
}

// The manifest parsed, to look at its members.
struct Parsed {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    explicit Parsed(const std::string& json) { root = parser.parse(json).value(); }
    std::string at(const char* pointer) { return simdjson::minify(root.at_pointer(pointer).value()); }
    bool has(const char* pointer) { return root.at_pointer(pointer).error() == simdjson::SUCCESS; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pod_manifest, NoServiceAccount)

BOOST_AUTO_TEST_CASE(connection_mode) {
    const PodSettings pod = pod_of(
        R"({"pod":{"metadata":{"namespace":"ssh","labels":{"app":"ssh","containerssh_instance":"spoofed"},)"
        R"("annotations":{"note":"x"}},"spec":{"containers":[{"name":"shell","image":"guest","args":["x"],)"
        R"("env":[{"name":"KEEP","value":"1"},{"name":"TEAM","value":"old"}]},{"name":"side","image":"s"}]},)"
        R"("exposeAuthMetadataAsEnv":{"team":"TEAM"},"exposeAuthMetadataAsLabels":{"team":"example.com/team"},)"
        R"("exposeAuthMetadataAsAnnotations":{"email":"example.com/email"}}})");
    PodRequest request = request_for(pod);
    request.auth_metadata = {{"team", "Blue Team!"}, {"email", "alice@example.com"}};
    request.environment = exposed_environment(pod, request.auth_metadata, {{"LANG", "C"}});
    const PodManifest manifest = build_pod_manifest(pod, request);
    BOOST_TEST(!manifest.username_label_omitted);
    Parsed m(manifest.json);
    BOOST_TEST(m.at("/apiVersion") == R"("v1")");
    BOOST_TEST(m.at("/kind") == R"("Pod")");
    BOOST_TEST(m.at("/metadata/namespace") == R"("ssh")");
    BOOST_TEST(m.at("/metadata/generateName") == R"("containerssh-")");
    BOOST_TEST(m.at("/metadata/labels") ==
               R"({"app":"ssh","containerssh_connection_id":"0123456789abcdef0123456789abcdef",)"
               R"("containerssh_instance":"gw-1","containerssh_username":"alice","example.com/team":"Blue-Team"})");
    BOOST_TEST(m.at("/metadata/annotations") ==
               R"({"note":"x","containerssh_ip":"2001-db8--7","example.com/email":"alice@example.com"})");
    BOOST_TEST(m.at("/spec/containers/0/command") ==
               R"(["/usr/bin/containerssh-agent","wait-signal","--signal","INT","--signal","TERM"])");
    BOOST_TEST(!m.has("/spec/containers/0/args"));
    BOOST_TEST(m.at("/spec/containers/0/env") ==
               R"([{"name":"KEEP","value":"1"},{"name":"LANG","value":"C"},{"name":"TEAM","value":"Blue Team!"}])");
    BOOST_TEST(!m.has("/spec/containers/0/stdin"));
    BOOST_TEST(!m.has("/spec/restartPolicy"));
    BOOST_TEST(m.at("/spec/containers/1") == R"({"name":"side","image":"s"})");
}

BOOST_AUTO_TEST_CASE(session_mode) {
    const PodSettings pod = pod_of(R"({"pod":{"mode":"session","spec":{"containers":[{"name":"shell",)"
                                   R"("image":"guest","tty":false}],"restartPolicy":"Never"}}})");
    PodRequest request = request_for(pod);
    request.session = true;
    request.tty = true;
    request.console_command = session_console_command(pod, {"/bin/bash"}).argv;
    request.environment = {{"TERM", "xterm"}, {"TERM", "vt100"}};
    Parsed m(build_pod_manifest(pod, request).json);
    BOOST_TEST(m.at("/spec/restartPolicy") == R"("Never")");
    BOOST_TEST(m.at("/spec/containers/0/command") ==
               R"(["/usr/bin/containerssh-agent","console","--wait","--pid","--","/bin/bash"])");
    BOOST_TEST(m.at("/spec/containers/0/stdin") == "true");
    BOOST_TEST(m.at("/spec/containers/0/stdinOnce") == "true");
    BOOST_TEST(m.at("/spec/containers/0/tty") == "true");
    BOOST_TEST(m.at("/spec/containers/0/env") == R"([{"name":"TERM","value":"vt100"}])");  // the last one wins
    // Without a program (kuberun's shell without shellCommand) the image's own command runs.
    request.console_command.clear();
    BOOST_TEST(!Parsed(build_pod_manifest(pod, request).json).has("/spec/containers/0/command"));
}

BOOST_AUTO_TEST_CASE(persistent_mode_with_create_missing_pods) {
    const PodSettings pod =
        pod_of(R"({"pod":{"mode":"persistent","createMissingPods":true,"metadata":{"name":"alice-box"}}})");
    Parsed m(build_pod_manifest(pod, request_for(pod)).json);
    BOOST_TEST(m.at("/metadata/name") == R"("alice-box")");
    BOOST_TEST(m.at("/spec/containers/0/command") ==
               R"(["/usr/bin/containerssh-agent","wait-signal","--signal","INT","--signal","TERM"])");
}

BOOST_AUTO_TEST_CASE(username_label) {
    BOOST_TEST(*username_label_value("alice") == "alice");
    BOOST_TEST(*username_label_value("alice.smith") == "alice.smith");
    BOOST_TEST(*username_label_value("alice@example.com") == "alice-example.com");
    BOOST_TEST(*username_label_value("DOMAIN\\bob_x") == "DOMAIN-bob-x");
    BOOST_TEST(*username_label_value("a|b") == "a-b");  // ContainerSSH's pattern kept '|', which no label may hold
    BOOST_TEST(*username_label_value("j\xC3\xBCrgen") == "j-rgen");  // one '-' per UTF-8 character
    BOOST_TEST(*username_label_value("_admin.") == "admin");         // ours: valid ends
    BOOST_TEST(!username_label_value("---"));
    BOOST_TEST(username_label_value(std::string(63, 'a')).has_value());
    BOOST_TEST(!username_label_value(std::string(64, 'a')));

    const PodSettings pod = pod_of("{}");
    PodRequest request = request_for(pod);
    request.username = std::string(80, 'u');
    const PodManifest manifest = build_pod_manifest(pod, request);
    BOOST_TEST(manifest.username_label_omitted);
    BOOST_TEST(!Parsed(manifest.json).has("/metadata/labels/containerssh_username"));

    BOOST_TEST(label_value(std::string(70, 'x')) == std::string(63, 'x'));
    BOOST_TEST(label_value("a" + std::string(61, 'b') + "-c") == "a" + std::string(61, 'b'));
    BOOST_TEST(ip_annotation_value("192.0.2.1") == "192.0.2.1");
    BOOST_TEST(ip_annotation_value("::1") == "--1");
}

BOOST_AUTO_TEST_CASE(console_commands) {
    const PodSettings pod = pod_of("{}");
    BOOST_TEST(*program_for(ProgramRequest::exec, "/bin/ls -l", pod) == (Argv{"/bin/ls", "-l"}));
    BOOST_TEST(*program_for(ProgramRequest::exec, "ls | wc", pod) == (Argv{"/bin/sh", "-c", "ls | wc"}));
    BOOST_TEST(*program_for(ProgramRequest::shell, "", pod) == (Argv{"/bin/bash"}));
    BOOST_TEST(*program_for(ProgramRequest::subsystem, "sftp", pod) == (Argv{"/usr/lib/openssh/sftp-server"}));
    BOOST_TEST(!program_for(ProgramRequest::subsystem, "x11", pod));

    const ConsoleCommand exec = exec_console_command(pod, {"/bin/ls", "-l"}, {{"A", "1"}, {"B", "x=y"}, {"", "z"}});
    BOOST_TEST(exec.argv == (Argv{"/usr/bin/containerssh-agent", "console", "--pid", "--env", "A=1", "--env", "B=x=y",
                                  "--", "/bin/ls", "-l"}));
    BOOST_TEST(exec.reports_pid);
    BOOST_TEST(!exec.waits_for_start_byte);
    BOOST_TEST(exec.dropped_env == (Argv{""}));
    BOOST_TEST(std::string(exec.log_code) == "KUBERNETES_EXEC");

    const ConsoleCommand session = session_console_command(pod, {"/bin/sh", "-c", "id"});
    BOOST_TEST(session.argv ==
               (Argv{"/usr/bin/containerssh-agent", "console", "--wait", "--pid", "--", "/bin/sh", "-c", "id"}));
    BOOST_TEST(session.reports_pid);
    BOOST_TEST(session.waits_for_start_byte);

    const PodSettings bare = pod_of(R"({"pod":{"disableAgent":true}})");
    const ConsoleCommand no_agent = exec_console_command(bare, {"/bin/ls"}, {{"A", "1"}});
    BOOST_TEST(no_agent.argv == (Argv{"/bin/ls"}));
    BOOST_TEST(!no_agent.reports_pid);
    BOOST_TEST(no_agent.dropped_env == (Argv{"A"}));
    BOOST_TEST(std::string(no_agent.log_code) == "KUBERNETES_GUEST_AGENT_DISABLED");
    BOOST_TEST(exec_console_command(bare, {"/bin/ls"}, {}).log_code == nullptr);
    const ConsoleCommand bare_session = session_console_command(bare, {"/bin/ls"});
    BOOST_TEST(bare_session.argv == (Argv{"/bin/ls"}));
    BOOST_TEST(!bare_session.waits_for_start_byte);
}

BOOST_AUTO_TEST_SUITE_END()
