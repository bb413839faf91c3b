#include "options.hpp"

#include "logger.hpp"

#include <boost/program_options.hpp>

#include <sstream>

namespace example_server {

namespace po = boost::program_options;

std::optional<Options> parse_options(int argc, const char* const* argv, std::string& error) {
    Options options;
    std::string level = "notice";
    po::options_description description(
        "containerssh-auth-config-server: an example authentication and configuration webhook server for "
        "ContainerSSH\n\nOptions");
    description.add_options()
        ("users", po::value(&options.users_file)->value_name("FILE"), "the users file (YAML); required")
        ("listen", po::value(&options.listen)->value_name("HOST:PORT"), "address to listen on (default 127.0.0.1:8080)")
        ("log-level", po::value(&level)->value_name("LEVEL"),
         "emerg, alert, crit, error, warning, notice (default), info or debug")
        ("list-codes", po::bool_switch(&options.list_codes), "print the message codes as a markdown table and exit")
        ("help", po::bool_switch(&options.help), "print this help and exit");
    try {
        po::variables_map values;
        po::store(po::command_line_parser(argc, argv).options(description).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        error = e.what();
        return std::nullopt;
    }
    std::ostringstream help;
    help << description << "\nSignals: SIGHUP re-reads the users file; SIGINT and SIGTERM stop the server.\n";
    options.help_text = help.str();
    if (options.help || options.list_codes) return options;

    const auto parsed_level = parse_level(level);
    if (!parsed_level) {
        error = "--log-level " + level + " is not a level (emerg … debug, or 0 … 7)";
        return std::nullopt;
    }
    options.log_level = *parsed_level;
    if (options.users_file.empty()) {
        error = "--users FILE is required";
        return std::nullopt;
    }
    return options;
}

}  // namespace example_server
