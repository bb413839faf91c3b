#include "api/exec_status.hpp"

#include <simdjson.h>

#include <charconv>

namespace backend_kubernetes::api {

namespace {

// Status text goes into log lines: keep it short and on one line.
std::string shorten(std::string_view text) {
    std::string out(text.substr(0, 300));
    for (char& c : out) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

ExecEnd failed(std::string why) {
    ExecEnd end;
    end.error = std::move(why);
    return end;
}

// The exit code a NonZeroExitCode Status carries: the message of its cause
// whose reason is "ExitCode", a decimal number in a string.
ExecEnd exit_code_of(simdjson::dom::element status) {
    simdjson::dom::array causes;
    if (status["details"]["causes"].get_array().get(causes) != simdjson::SUCCESS) {
        return failed("the exit status names no exit code (no details.causes)");
    }
    for (simdjson::dom::element cause : causes) {
        std::string_view reason;
        if (cause["reason"].get_string().get(reason) != simdjson::SUCCESS || reason != "ExitCode") continue;
        std::string_view number;
        if (cause["message"].get_string().get(number) != simdjson::SUCCESS) {
            return failed("the exit status's ExitCode cause has no message");
        }
        uint32_t code = 0;
        const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), code);
        if (ec != std::errc() || end != number.data() + number.size() || number.empty()) {
            return failed("the exit status holds an invalid exit code \"" + shorten(number.substr(0, 32)) + "\"");
        }
        ExecEnd done;
        done.exit_code = code;
        return done;
    }
    return failed("the exit status names no exit code (no cause of reason ExitCode)");
}

}  // namespace

ExecEnd parse_exec_status(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    // simdjson reads past the end of what it is given unless the text is
    // padded: copy into a padded string.
    const simdjson::padded_string padded(json);
    if (parser.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) {
        return failed("the exit status is not a JSON Status: \"" + shorten(json.substr(0, 200)) + "\"");
    }
    std::string_view status;
    if (root["status"].get_string().get(status) != simdjson::SUCCESS) {
        return failed("the exit status has no \"status\" field");
    }
    if (status == "Success") {
        ExecEnd done;
        done.exit_code = 0;
        return done;
    }
    if (status != "Failure") return failed("the exit status is neither Success nor Failure: \"" + shorten(status) + "\"");
    std::string_view reason;
    if (root["reason"].get_string().get(reason) == simdjson::SUCCESS && reason == "NonZeroExitCode") {
        return exit_code_of(root);
    }
    std::string_view message;
    if (root["message"].get_string().get(message) == simdjson::SUCCESS && !message.empty()) {
        return failed(shorten(message));
    }
    return failed("the command failed" + (reason.empty() ? std::string() : " (" + shorten(reason) + ")"));
}

}  // namespace backend_kubernetes::api
