#include "app/options.hpp"

#include <boost/program_options.hpp>

#include <sstream>

namespace po = boost::program_options;

namespace csh::app {

std::optional<Options> parse_options(int argc, const char* const* argv, std::string& error) {
    Options options;
    po::options_description desc("Usage: containerssh [options]");
    desc.add_options()
        ("config", po::value(&options.config_file)->default_value(options.config_file),
         "configuration file (YAML, or JSON when it ends in .json)")
        ("dump-config", po::bool_switch(&options.dump_config),
         "print the effective configuration (defaults filled in, secrets redacted) and exit")
        ("healthcheck", po::bool_switch(&options.healthcheck),
         "ask the health endpoint at health.client.url whether the server is ready; exit 0 if so, else 1")
        ("list-codes", po::bool_switch(&options.list_codes),
         "print every message code of the core and the discovered plugins as a Markdown table and exit")
        ("list-plugins", po::bool_switch(&options.list_plugins), "print the discovered plugins and exit")
        ("plugin-dir", po::value(&options.plugin_dirs)->composing(),
         "an extra directory to load plugins from (repeatable)")
        ("version", po::bool_switch(&options.version), "print the version and exit")
        ("help", po::bool_switch(&options.help), "print this help and exit");
    std::ostringstream help;
    help << desc;
    options.help_text = help.str();
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        error = e.what();
        return std::nullopt;
    }
    return options;
}

}  // namespace csh::app
