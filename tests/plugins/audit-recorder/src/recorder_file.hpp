// The recorder's output file: opened once for appending, one write(2) per
// event line so that a reader never sees half a line, and nothing buffered in
// the process so tests can read the file while the server runs.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

namespace audit_recorder {

class RecorderFile {
public:
    // Throws csh::sdk::Error(AUDIT_RECORDER_FILE_OPEN_FAILED).
    explicit RecorderFile(std::string path);
    RecorderFile(const RecorderFile&) = delete;
    RecorderFile& operator=(const RecorderFile&) = delete;
    ~RecorderFile();

    const std::string& path() const { return path_; }
    // Appends one line; returns 0 or the errno of the failure.
    int append(std::string_view line);

private:
    std::string path_;
    int fd_;
    std::mutex mutex_;  // connections record from several strands at once
};

}  // namespace audit_recorder
