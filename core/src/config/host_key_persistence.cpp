#include "config/host_key_persistence.hpp"

#include <optional>
#include <vector>

#include <containerssh/sdk/json_writer.hpp>

#include "config/config_error.hpp"
#include "config/json_output.hpp"
#include "config/yaml_output.hpp"
#include "config/yaml_reader.hpp"

namespace csh::config::detail {

ValuePtr with_host_key(const ValuePtr& document, const std::string& key_path) {
    const Entry* ssh = document->is_mapping() ? document->find("ssh") : nullptr;
    ValuePtr ssh_section = ssh != nullptr && ssh->value->is_mapping() ? ssh->value : nullptr;
    const Value* keys = ssh_section ? ssh_section->get("hostkeys") : nullptr;
    std::vector<ValuePtr> items;
    if (keys != nullptr && keys->is_sequence()) items = keys->items;
    items.push_back(make_scalar(key_path, true));
    ssh_section = with_entry(ssh_section, "hostkeys", make_sequence(std::move(items)));
    return with_entry(document->is_mapping() ? document : nullptr, "ssh", ssh_section);
}

namespace {

// A text edit of the usual shapes, or nullopt.
class YamlTextEdit {
public:
    YamlTextEdit(std::string_view text, const std::string& key_path) : text_(text) {
        newline_ = text_.find("\r\n") != std::string::npos ? "\r\n" : "\n";
        quoted_key_ = "\"";
        sdk::json_escape(quoted_key_, key_path);  // JSON's escapes are valid in YAML double quotes
        quoted_key_ += "\"";
    }

    std::optional<std::string> apply(const Value& document) {
        if (document.is_null()) return append_section();
        if (!document.is_mapping() || document.flow) return std::nullopt;
        const Entry* ssh = document.find("ssh");
        if (ssh == nullptr) return append_section();
        const Value& section = *ssh->value;
        if (section.is_null()) {
            if (!nothing_after_key(ssh->key_position)) return std::nullopt;
            return insert_after_line(ssh->key_position.line, hostkeys_block(ssh->key_position.column - 1 + 2));
        }
        if (!section.is_mapping() || section.flow || section.entries.empty()) return std::nullopt;
        const Entry* keys = section.find("hostkeys");
        const int indent = section.entries.front().key_position.column - 1;
        if (keys == nullptr) return insert_after_line(ssh->key_position.line, hostkeys_block(indent));
        if (keys->value->is_null()) {
            if (!nothing_after_key(keys->key_position)) return std::nullopt;
            return insert_after_line(keys->key_position.line, item_line(keys->key_position.column - 1 + 2));
        }
        if (keys->value->is_sequence() && keys->value->flow && keys->value->items.empty()) {
            return fill_empty_flow_list(keys->value->position);
        }
        return std::nullopt;
    }

private:
    std::string append_section() const {
        std::string out = text_;
        if (!out.empty() && out.back() != '\n') out += newline_;
        return out + "ssh:" + newline_ + hostkeys_block(2);
    }

    std::string hostkeys_block(int indent) const {
        return std::string(static_cast<std::size_t>(indent), ' ') + "hostkeys:" + newline_ + item_line(indent + 2);
    }

    std::string item_line(int indent) const {
        return std::string(static_cast<std::size_t>(indent), ' ') + "- " + quoted_key_ + newline_;
    }

    // Offset where 1-based `line` starts; npos past the end.
    std::size_t line_start(int line) const {
        std::size_t offset = 0;
        for (int current = 1; current < line; ++current) {
            offset = text_.find('\n', offset);
            if (offset == std::string::npos) return std::string::npos;
            ++offset;
        }
        return offset;
    }

    // The key's line holds only "key:" and maybe a comment, so lines below
    // it can carry its value.
    bool nothing_after_key(const Position& key) const {
        std::size_t start = line_start(key.line);
        if (start == std::string::npos) return false;
        std::size_t end = text_.find('\n', start);
        std::string_view line =
            std::string_view(text_).substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::size_t colon = line.find(':', static_cast<std::size_t>(key.column - 1));
        if (colon == std::string_view::npos) return false;
        std::size_t next = line.find_first_not_of(" \t\r", colon + 1);
        return next == std::string_view::npos || line[next] == '#';
    }

    std::optional<std::string> insert_after_line(int line, const std::string& lines) const {
        std::size_t at = line_start(line + 1);
        std::string out = text_;
        if (at == std::string::npos || at > out.size()) {
            if (!out.empty() && out.back() != '\n') out += newline_;
            return out + lines;
        }
        out.insert(at, lines);
        return out;
    }

    // `hostkeys: []` (or `[ ]`) becomes `hostkeys: ["<key>"]`.
    std::optional<std::string> fill_empty_flow_list(const Position& list) const {
        std::size_t start = line_start(list.line);
        if (start == std::string::npos) return std::nullopt;
        std::size_t open = start + static_cast<std::size_t>(list.column - 1);
        if (open >= text_.size() || text_[open] != '[') return std::nullopt;
        std::size_t close = text_.find_first_not_of(" \t", open + 1);
        if (close == std::string::npos || text_[close] != ']') return std::nullopt;
        std::string out = text_;
        out.replace(open, close - open + 1, "[" + quoted_key_ + "]");
        return out;
    }

    std::string text_;
    std::string newline_;
    std::string quoted_key_;
};

bool reads_as(const std::string& text, const Value& expected, const std::string& source_name) {
    try {
        return same_content(*read_yaml(text, source_name), expected);
    } catch (const ConfigError&) {
        return false;
    }
}

// Two-space indentation for compact JSON, so the file stays editable by hand.
std::string indent_json(std::string_view compact) {
    std::string out;
    int depth = 0;
    bool in_string = false;
    auto newline = [&](int level) {
        out += '\n';
        out.append(static_cast<std::size_t>(level) * 2, ' ');
    };
    for (std::size_t i = 0; i < compact.size(); ++i) {
        char c = compact[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < compact.size()) {
                out += compact[++i];
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                out += c;
                break;
            case '{':
            case '[':
                out += c;
                if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
                    out += compact[++i];  // {} and [] stay on one line
                } else {
                    newline(++depth);
                }
                break;
            case '}':
            case ']':
                newline(--depth);
                out += c;
                break;
            case ',':
                out += c;
                newline(depth);
                break;
            case ':':
                out += ": ";
                break;
            default:
                out += c;
        }
    }
    return out + "\n";
}

}  // namespace

std::string add_host_key_to_text(std::string_view text, bool json, const std::string& key_path,
                                 const std::string& source_name) {
    ValuePtr document = read_yaml(text, source_name);
    ValuePtr expected = with_host_key(document, key_path);
    if (!json) {
        YamlTextEdit edit(text, key_path);
        if (auto edited = edit.apply(*document); edited && reads_as(*edited, *expected, source_name)) {
            return *edited;
        }
        return write_yaml(nullptr, *expected, Redaction::none);
    }
    sdk::JsonWriter out;
    write_json(out, nullptr, *expected);
    return indent_json(out.str());
}

}  // namespace csh::config::detail
