#include <csh/program/program_line.hpp>

#include <optional>

namespace csh::program {

namespace {

// Words of `line`, or nullopt when it has unbalanced quotes, a trailing
// backslash or unquoted shell syntax.
std::optional<std::vector<std::string>> split_words(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if (++i == line.size()) return std::nullopt;
            word += line[i];
        } else if (c == '\'') {
            const size_t end = line.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            word.append(line.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            for (++i;; ++i) {
                if (i == line.size()) return std::nullopt;
                if (line[i] == '"') break;
                if (line[i] == '$' || line[i] == '`') return std::nullopt;  // expansions need the shell
                if (line[i] == '\\' && i + 1 < line.size() &&
                    (line[i + 1] == '"' || line[i + 1] == '\\')) {
                    ++i;
                }
                word += line[i];
            }
        } else if (std::string_view(";&|<>$`()*?[]~#\n\r{}!").find(c) != std::string_view::npos) {
            return std::nullopt;
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

bool is_path(const std::string& word) {
    return word.rfind("/", 0) == 0 || word.rfind("./", 0) == 0 || word.rfind("../", 0) == 0;
}

}  // namespace

std::vector<std::string> program_for_exec(std::string_view command) {
    auto words = split_words(command);
    if (words && !words->empty() && is_path(words->front())) return *words;
    return {"/bin/sh", "-c", std::string(command)};
}

}  // namespace csh::program
