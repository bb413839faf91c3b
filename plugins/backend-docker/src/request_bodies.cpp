#include "request_bodies.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_writer.hpp>
#include <containerssh/sdk/types.hpp>

#include <simdjson.h>

#include <cctype>

namespace backend_docker {

namespace {

using csh::sdk::JsonWriter;

void write_list(JsonWriter& out, const std::vector<std::string>& items) {
    out.begin_array();
    for (const auto& item : items) out.value(item);
    out.end_array();
}

bool is_replaced(std::string_view key) {
    for (std::string_view ours : {"Cmd", "Env", "Labels", "Tty", "OpenStdin", "StdinOnce", "AttachStdin",
                                  "AttachStdout", "AttachStderr", "HostConfig", "NetworkingConfig"}) {
        if (key == ours) return true;
    }
    return false;
}

}  // namespace

std::string container_create_body(const DockerConfig& config, const ContainerSpec& spec) {
    simdjson::dom::parser parser;
    simdjson::dom::object container;
    if (parser.parse(config.container_json).get_object().get(container) != simdjson::SUCCESS) {
        throw csh::sdk::Error(codes::DOCKER_CONFIG_ERROR,
                              "invalid configuration at docker.execution.container: expected an object",
                              {{"key", "docker.execution.container"}});
    }
    JsonWriter out;
    out.begin_object();
    std::vector<std::string> environment;
    std::map<std::string, std::string> labels;
    for (auto field : container) {
        if (field.key == "Env") {
            simdjson::dom::array items;
            if (field.value.get_array().get(items) == simdjson::SUCCESS) {
                for (auto item : items) {
                    std::string_view text;
                    if (item.get_string().get(text) == simdjson::SUCCESS) environment.emplace_back(text);
                }
            }
        } else if (field.key == "Labels") {
            simdjson::dom::object items;
            if (field.value.get_object().get(items) == simdjson::SUCCESS) {
                for (auto item : items) {
                    std::string_view text;
                    if (item.value.get_string().get(text) == simdjson::SUCCESS) labels.emplace(item.key, text);
                }
            }
        } else if (!is_replaced(field.key)) {
            out.key(field.key).raw(simdjson::minify(field.value));
        }
    }
    environment.insert(environment.end(), spec.environment.begin(), spec.environment.end());
    for (const auto& [key, value] : spec.labels) labels[key] = value;

    out.key("Cmd");
    write_list(out, spec.command);
    out.key("Env");
    write_list(out, environment);
    out.key("Labels").begin_object();
    for (const auto& [key, value] : labels) out.key(key).value(value);
    out.end_object();
    out.key("Tty").value(spec.tty);
    out.key("OpenStdin").value(spec.attach_stdin);
    out.key("StdinOnce").value(spec.attach_stdin);
    out.key("AttachStdin").value(spec.attach_stdin);
    out.key("AttachStdout").value(spec.attach_stdin);
    out.key("AttachStderr").value(spec.attach_stdin);
    if (spec.default_init) {
        out.key("HostConfig").begin_object();
        bool init_set = false;
        simdjson::dom::parser host_parser;
        simdjson::dom::object host;
        if (!config.host_json.empty() && host_parser.parse(config.host_json).get_object().get(host) == simdjson::SUCCESS) {
            for (auto field : host) {
                std::string key(field.key);
                for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                init_set = init_set || key == "init";
                out.key(field.key).raw(simdjson::minify(field.value));
            }
        }
        if (!init_set) out.key("Init").value(true);
        out.end_object();
    } else if (!config.host_json.empty()) {
        out.key("HostConfig").raw(config.host_json);
    }
    if (!config.network_json.empty()) out.key("NetworkingConfig").raw(config.network_json);
    out.end_object();
    return out.take();
}

std::string exec_create_body(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                             bool tty, bool attach_stdin) {
    JsonWriter out;
    out.begin_object();
    out.key("AttachStdin").value(attach_stdin);
    out.key("AttachStdout").value(true);
    out.key("AttachStderr").value(true);
    out.key("Tty").value(tty);
    out.key("Env");
    write_list(out, environment);
    out.key("Cmd");
    write_list(out, command);
    out.end_object();
    return out.take();
}

}  // namespace backend_docker
