#include "config/yaml_reader.hpp"

#include <optional>
#include <set>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "config/fail.hpp"

namespace csh::config::detail {
namespace {

// A configuration is a few hundred nodes; these only stop hostile input
// (a config server's answer) from exhausting the stack or memory.
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxNodes = 100'000;

class Converter {
public:
    explicit Converter(std::shared_ptr<const std::string> source) : source_(std::move(source)) {}

    ValuePtr convert(const YAML::Node& node, const std::string& path, const Position& fallback,
                     int depth) {
        if (depth > kMaxDepth) fail_at(fallback, path, "the document is nested too deeply");
        if (++nodes_ > kMaxNodes) fail_at(fallback, path, "the document is too large (alias expansion?)");

        Position position = position_of(node.Mark());
        if (position.line == 0) position = fallback;
        switch (node.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null:
                // yaml-cpp marks an empty value at the next token; the key's
                // position (the fallback) is where a person looks.
                return make_null(fallback);
            case YAML::NodeType::Scalar:
                return make_scalar(node.Scalar(), !is_plain_tag(node.Tag()), position);
            case YAML::NodeType::Sequence: {
                std::vector<ValuePtr> items;
                items.reserve(node.size());
                std::size_t index = 0;
                for (const YAML::Node& item : node) {
                    items.push_back(convert(item, item_path(path, index++), position, depth + 1));
                }
                return make_sequence(std::move(items), position, node.Style() == YAML::EmitterStyle::Flow);
            }
            case YAML::NodeType::Map: {
                std::vector<Entry> entries;
                std::set<std::string, std::less<>> seen;
                for (auto it = node.begin(); it != node.end(); ++it) {
                    Position key_position = position_of(it->first.Mark());
                    if (key_position.line == 0) key_position = position;
                    if (!it->first.IsScalar()) {
                        const char* found = it->first.IsSequence() ? "a list" : it->first.IsMap() ? "a mapping" : "empty";
                        fail_at(key_position, path, std::string("a key must be a text, not ") + found);
                    }
                    std::string key = it->first.Scalar();
                    std::string key_path = child_path(path, key);
                    if (!seen.insert(key).second) {
                        fail_at(key_position, key_path, "the key is written twice in the same mapping");
                    }
                    ValuePtr child = convert(it->second, key_path, key_position, depth + 1);
                    entries.push_back(Entry{std::move(key), key_position, std::move(child)});
                }
                return make_mapping(std::move(entries), position, node.Style() == YAML::EmitterStyle::Flow);
            }
        }
        return make_null(fallback);
    }

    Position position_of(const YAML::Mark& mark) const {
        if (mark.is_null() || mark.line < 0) return Position{source_, 0, 0};
        return Position{source_, mark.line + 1, mark.column + 1};
    }

private:
    // "?" is a plain scalar; the YAML core tags written explicitly keep
    // their meaning; "!" (quoted) and any other tag make a text.
    static bool is_plain_tag(const std::string& tag) {
        return tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
               tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
    }

    std::shared_ptr<const std::string> source_;
    std::size_t nodes_ = 0;
};

// Where each document of a text starts; nothing else is kept.
class DocumentStarts : public YAML::EventHandler {
public:
    YAML::Mark last;
    void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// yaml-cpp 0.7 (Debian 12) does not consume a token that cannot start a
// value at the top level, such as a ',' outside [...] and {...} (a JSON file
// with a trailing comma: `{"a": 1},`). LoadAll then makes empty documents at
// that place for ever, until memory runs out (found by fuzz/config_fuzz.cpp;
// regression input fuzz/corpus/config/regression-trailing-comma.json). The
// event parser shows it first, as two documents starting at the same place.
// Throws YAML::Exception like LoadAll.
std::optional<YAML::Mark> stuck_document(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts starts;
    std::optional<int> previous;
    while (parser.HandleNextDocument(starts)) {
        if (previous && *previous == starts.last.pos) return starts.last;
        previous = starts.last.pos;
    }
    return std::nullopt;
}

}  // namespace

ValuePtr read_yaml(std::string_view text, const std::string& source_name) {
    auto source = std::make_shared<const std::string>(source_name);
    std::vector<YAML::Node> documents;
    try {
        const std::string copy(text);
        if (const auto stuck = stuck_document(copy)) {
            Converter converter(source);
            fail_at(converter.position_of(*stuck), "", "not valid YAML/JSON: unexpected text where a value should start");
        }
        documents = YAML::LoadAll(copy);
    } catch (const YAML::Exception& error) {
        Converter converter(source);
        fail_at(converter.position_of(error.mark), "", "not valid YAML/JSON: " + error.msg);
    }
    Position start{source, 1, 1};
    if (documents.empty()) return make_null(start);
    if (documents.size() > 1) {
        fail_at(start, "", "the file holds " + std::to_string(documents.size()) +
                               " YAML documents (separated by ---); a configuration is one document");
    }
    Converter converter(source);
    return converter.convert(documents.front(), "", start, 0);
}

}  // namespace csh::config::detail
