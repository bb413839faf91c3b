#include "config/yaml_output.hpp"

#include <yaml-cpp/yaml.h>

#include "config/duration.hpp"
#include "config/scalar.hpp"
#include "config/secrets.hpp"
#include "config/typed_read.hpp"

namespace csh::config::detail {
namespace {

bool is_free_form(const schema::Node* node) { return node == nullptr || node->type == schema::Type::free_form; }

// A literal block keeps line breaks readable; it cannot represent leading
// blanks or carriage returns faithfully, so those get double quotes.
bool fits_literal_block(const std::string& text) {
    return text.find('\r') == std::string::npos && text.find('\t') == std::string::npos && text[0] != ' ' &&
           text.find("\n ") == std::string::npos;
}

void emit_text(YAML::Emitter& out, const std::string& text) {
    if (text.empty() || reads_as_non_text(text)) {
        out << YAML::DoubleQuoted << text;
    } else if (text.find('\n') != std::string::npos) {
        if (fits_literal_block(text)) {
            out << YAML::Literal << text;
        } else {
            out << YAML::DoubleQuoted << text;
        }
    } else {
        out << text;
    }
}

class YamlWriter {
public:
    explicit YamlWriter(Redaction redaction) : redaction_(redaction) {}

    void emit(const schema::Node* node, std::string_view key, const Value& value) {
        switch (value.kind) {
            case Value::Kind::null:
                out_ << YAML::Null;
                return;
            case Value::Kind::scalar:
                emit_scalar(node, key, value);
                return;
            case Value::Kind::sequence:
                emit_items(node, key, value.items);
                return;
            case Value::Kind::mapping:
                emit_mapping(node, value);
                return;
        }
    }

    std::string text() const {
        std::string out = out_.c_str();
        if (out.empty() || out.back() != '\n') out += '\n';
        return out;
    }

private:
    void emit_scalar(const schema::Node* node, std::string_view key, const Value& value) {
        if (redaction_ == Redaction::secrets && must_redact(node, key, value)) {
            emit_text(out_, std::string(kRedacted));
            return;
        }
        if (is_free_form(node)) {
            if (value.quoted) {
                emit_text(out_, value.text);
            } else {
                out_ << value.text;
            }
            return;
        }
        switch (node->type) {
            case schema::Type::list_of:
                // One colon-separated text: written as the list it stands for.
                emit_items(node, key, items_of(value, node->separator));
                return;
            case schema::Type::boolean:
                if (auto flag = parse_bool(value)) {
                    out_ << (*flag ? "true" : "false");
                    return;
                }
                break;
            case schema::Type::integer:
                if (auto number = parse_integer(value)) {
                    out_ << static_cast<long long>(*number);
                    return;
                }
                break;
            case schema::Type::duration:
                if (auto nanos = parse_duration(value)) {
                    out_ << format_go_duration(*nanos);
                    return;
                }
                break;
            case schema::Type::number:
                if (!value.quoted) {
                    out_ << value.text;
                    return;
                }
                break;
            default:
                break;
        }
        emit_text(out_, value.text);
    }

    void emit_items(const schema::Node* node, std::string_view key, const std::vector<ValuePtr>& items) {
        if (items.empty()) {
            out_ << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            return;
        }
        const schema::Node* element = is_free_form(node) ? nullptr : node->element.get();
        out_ << YAML::BeginSeq;
        for (const ValuePtr& item : items) emit(element, key, *item);
        out_ << YAML::EndSeq;
    }

    void emit_mapping(const schema::Node* node, const Value& value) {
        if (value.entries.empty()) {
            out_ << YAML::Flow << YAML::BeginMap << YAML::EndMap;
            return;
        }
        out_ << YAML::BeginMap;
        for (const Entry& entry : value.entries) {
            out_ << YAML::Key;
            emit_text(out_, entry.key);
            out_ << YAML::Value;
            emit(child_node(node, entry.key), entry.key, *entry.value);
        }
        out_ << YAML::EndMap;
    }

    static const schema::Node* child_node(const schema::Node* node, std::string_view key) {
        if (is_free_form(node)) return nullptr;
        if (node->type == schema::Type::object) return node->field(key);
        if (node->type == schema::Type::map_of) return node->element.get();
        return nullptr;
    }

    Redaction redaction_;
    YAML::Emitter out_;
};

}  // namespace

std::string write_yaml(const schema::Node* node, const Value& value, Redaction redaction) {
    YamlWriter writer(redaction);
    writer.emit(node, "", value);
    return writer.text();
}

}  // namespace csh::config::detail
