#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <system_error>

#include <containerssh/sdk/json_writer.hpp>

#include "config/atomic_file.hpp"
#include "config/containerssh_schema.hpp"
#include "config/core_sections.hpp"
#include "config/fail.hpp"
#include "config/host_key_persistence.hpp"
#include "config/json_output.hpp"
#include "config/legacy_format.hpp"
#include "config/required_providers.hpp"
#include "config/schema_check.hpp"
#include "config/tree_merge.hpp"
#include "config/yaml_output.hpp"
#include "config/yaml_reader.hpp"

namespace csh::config {
namespace {

bool has_json_extension(const std::filesystem::path& file) {
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return extension == ".json";
}

}  // namespace

Config::Config() : Config(detail::make_null(), "defaults", {}, false, {}) {}

Config::Config(Tree document, std::string source, std::filesystem::path file, bool json,
               std::vector<std::string> deprecations)
    : source_(std::move(source)), file_(std::move(file)), json_(json), deprecations_(std::move(deprecations)) {
    if (!document->is_null() && !document->is_mapping()) {
        detail::fail_at(document->position, "",
                        "the configuration must be a mapping of sections (ssh, auth, backend, ...), found " +
                            detail::describe(*document));
    }
    document_ = detail::upgrade_legacy_format(document, deprecations_);
    detail::check_against_schema(detail::root_schema(), *document_, "");
    effective_ = detail::merge_over(&detail::root_schema(), detail::root_defaults(), document_);
    detail::CoreSettings core = detail::read_core_sections(*effective_);
    ssh_ = std::move(core.ssh);
    log_ = std::move(core.log);
    health_ = std::move(core.health);
    geoip_ = std::move(core.geoip);
    plugins_ = std::move(core.plugins);
    security_ = std::move(core.security);
}

Config Config::load(const std::filesystem::path& file) {
    std::string text;
    try {
        text = detail::read_file(file);
    } catch (const std::system_error& error) {
        throw ConfigError("", 0, "cannot read the configuration file: " + error.code().message(), file.string());
    }
    const bool json = has_json_extension(file);
    return Config(detail::read_yaml(text, file.string()), file.string(), file, json, {});
}

Config Config::parse(std::string_view text, bool json, std::string source_name) {
    detail::ValuePtr document = detail::read_yaml(text, source_name);
    return Config(std::move(document), std::move(source_name), {}, json, {});
}

std::vector<ProviderRequirement> Config::required_providers() const {
    return detail::required_providers_of(*effective_);
}

std::string Config::section_json(std::string_view top_level_key) const {
    const detail::Entry* section = effective_->find(top_level_key);
    if (section == nullptr) return "null";
    sdk::JsonWriter out;
    detail::write_json(out, detail::root_schema().field(top_level_key), *section->value);
    return out.take();
}

std::string Config::effective_json() const {
    sdk::JsonWriter out;
    detail::write_json(out, &detail::root_schema(), *effective_);
    return out.take();
}

std::string Config::dump_yaml() const {
    return detail::write_yaml(&detail::root_schema(), *effective_, detail::Redaction::secrets);
}

void Config::add_host_key(const std::string& path_or_pem) {
    *this = Config(detail::with_host_key(document_, path_or_pem), source_, file_, json_, deprecations_);
}

void Config::persist_host_key(const std::string& key_path) const {
    if (file_.empty()) {
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "the configuration was not read from a file, so there is no file to update");
    }
    const std::string text = detail::read_file(file_);
    std::string updated;
    try {
        updated = detail::add_host_key_to_text(text, json_, key_path, file_.string());
    } catch (const ConfigError& error) {
        // The file changed on disk since it was loaded and no longer parses.
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                std::string("cannot add the host key: ") + error.what());
    }
    detail::replace_file_atomically(file_, updated);
}

Config Config::merged_with(std::string_view partial_json, std::string source_name) const {
    detail::ValuePtr partial = detail::read_yaml(partial_json, source_name);
    if (partial->is_null()) return *this;
    if (!partial->is_mapping()) {
        detail::fail_at(partial->position, "", "a configuration override must be a JSON object, found " +
                                                   detail::describe(*partial));
    }
    std::vector<std::string> notes = deprecations_;
    partial = detail::upgrade_legacy_format(partial, notes);
    return Config(detail::merge_over(&detail::root_schema(), document_, partial), source_, file_, json_,
                  std::move(notes));
}

}  // namespace csh::config
