#include "storage/spool.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_writer.hpp>

#include <simdjson.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>

namespace audit_s3 {

namespace {

constexpr std::string_view kMetadataSuffix = ".metadata.json";

// "192.0.2.1:2222" -> "192.0.2.1", "[2001:db8::1]:2222" -> "2001:db8::1".
std::string ip_of(const std::string& address) {
    if (!address.empty() && address.front() == '[') {
        const size_t close = address.find(']');
        return close == std::string::npos ? address : address.substr(1, close - 1);
    }
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos || address.find(':') != colon) return address;  // no port, or a bare IPv6
    return address.substr(0, colon);
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string metadata_path(const std::string& recording_path) { return recording_path + std::string(kMetadataSuffix); }

std::string metadata_json(const SpoolMetadata& metadata) {
    csh::sdk::JsonWriter json;
    json.begin_object()
        .key("startTime").value(metadata.start_time)
        .key("remoteAddr").value(metadata.remote_addr)
        .key("authenticated").value(metadata.authenticated)
        .key("username").value(metadata.username)
        .key("country").value(metadata.country)
        .end_object();
    return json.take();
}

std::optional<SpoolMetadata> parse_metadata_json(const std::string& text) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(text).get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
    SpoolMetadata metadata;
    int64_t start = 0;
    if (object["startTime"].get_int64().get(start) == simdjson::SUCCESS) metadata.start_time = start;
    std::string_view value;
    if (object["remoteAddr"].get_string().get(value) == simdjson::SUCCESS) metadata.remote_addr = value;
    bool authenticated = false;
    if (object["authenticated"].get_bool().get(authenticated) == simdjson::SUCCESS) {
        metadata.authenticated = authenticated;
    }
    if (object["username"].get_string().get(value) == simdjson::SUCCESS) metadata.username = value;
    if (object["country"].get_string().get(value) == simdjson::SUCCESS) metadata.country = value;
    return metadata;
}

int write_metadata_file(const std::string& recording_path, const SpoolMetadata& metadata, const char*& failed_code) {
    const std::string final_path = metadata_path(recording_path);
    const std::string temporary = final_path + ".tmp";
    const std::string text = metadata_json(metadata);
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        failed_code = codes::AUDIT_S3_FAILED_CREATING_METADATA_FILE;
        return errno;
    }
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : EIO;
            ::close(fd);
            ::unlink(temporary.c_str());
            failed_code = codes::AUDIT_S3_FAILED_WRITING_METADATA_FILE;
            return error;
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        failed_code = codes::AUDIT_S3_CANNOT_CLOSE_METADATA_FILE_HANDLE;
        return error;
    }
    if (::rename(temporary.c_str(), final_path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        failed_code = codes::AUDIT_S3_FAILED_WRITING_METADATA_FILE;
        return error;
    }
    return 0;
}

std::vector<std::pair<std::string, std::string>> user_metadata(const SpoolMetadata& metadata, bool with_username,
                                                               bool with_ip) {
    std::vector<std::pair<std::string, std::string>> out{
        {"timestamp", std::to_string(metadata.start_time)},
        {"authenticated", metadata.authenticated ? "true" : "false"},
        {"country", metadata.country},
    };
    if (with_username && metadata.authenticated) out.emplace_back("username", metadata.username);
    if (with_ip) out.emplace_back("ip", ip_of(metadata.remote_addr));
    return out;
}

SpoolScan scan_spool(const std::string& directory) {
    SpoolScan scan;
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) {
        scan.unreadable.emplace_back(directory, errno);
        return scan;
    }
    std::set<std::string> recordings;
    std::vector<std::string> sidecars;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        if (ends_with(name, kMetadataSuffix)) {
            sidecars.push_back(name.substr(0, name.size() - kMetadataSuffix.size()));
            continue;
        }
        if (name.find('.') != std::string::npos) continue;
        struct stat st {};
        if (::stat((directory + "/" + name).c_str(), &st) != 0) {
            scan.unreadable.emplace_back(name, errno);
            continue;
        }
        if (!S_ISREG(st.st_mode)) continue;
        recordings.insert(name);
        if (st.st_size == 0) {
            scan.empty.push_back(name);
        } else {
            scan.recordings.push_back({name, static_cast<uint64_t>(st.st_size)});
        }
    }
    ::closedir(dir);
    for (const std::string& name : sidecars) {
        if (recordings.count(name) == 0) scan.orphaned_metadata.push_back(name);
    }
    return scan;
}

}  // namespace audit_s3
