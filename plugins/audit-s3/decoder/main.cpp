// containerssh-auditlog-decoder: prints a ContainerSSH binary audit log as
// one JSON object per message (the shape of ContainerSSH's own decoder), or
// exports its terminal output as an asciicast v2 recording.
#include "format/asciicast_encoder.hpp"
#include "format/binary_decoder.hpp"
#include "format/message_event.hpp"
#include "format/message_json.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;      // bad command line, unreadable or unwritable file
constexpr int kExitBadInput = 2;   // not a recording, unsupported version, corrupt
constexpr int kExitTruncated = 3;  // every complete message printed; the rest is missing

constexpr std::string_view kProgram = "containerssh-auditlog-decoder";

constexpr std::string_view kUsage =
    "Usage: containerssh-auditlog-decoder --file FILE [--asciicast OUT]\n"
    "\n"
    "Reads a ContainerSSH binary audit log (format version 1 or 2; what the\n"
    "audit \"binary\" format writes, locally or to S3) and prints one JSON object\n"
    "per message on stdout:\n"
    "  {\"connectionId\":...,\"timestamp\":NS,\"type\":N,\"typeId\":...,\"typeName\":...,\n"
    "   \"payload\":{...}|null,\"channelId\":N|null}\n"
    "Byte fields (password, data, modelist, payload) are base64.\n"
    "\n"
    "Options:\n"
    "  --file FILE      the audit log; \"-\" reads standard input\n"
    "  --asciicast OUT  instead, write the sessions' terminal output (stdout and\n"
    "                   stderr of the channels) as asciicast v2 to OUT (\"-\" for\n"
    "                   standard output), timed by the messages' timestamps; play\n"
    "                   it with `asciinema play OUT` or `asciinema cat OUT`\n"
    "  --help           this text\n"
    "Options may also be written -file, --file=FILE, as ContainerSSH's decoder\n"
    "accepts them.\n"
    "\n"
    "Exit status:\n"
    "  0  the audit log was decoded (also one without the gzip end marker that\n"
    "     ContainerSSH itself never writes, when its last message is there)\n"
    "  1  usage error, or a file that cannot be read or written\n"
    "  2  not a ContainerSSH audit log, an unsupported version, or corrupt data;\n"
    "     the messages before the damage are printed\n"
    "  3  truncated (the gateway stopped mid-session, or the file was cut):\n"
    "     every complete message is printed, a warning goes to stderr\n";

struct Options {
    std::string file;
    std::string asciicast;
    bool help = false;
};

void complain(const std::string& text) { std::fprintf(stderr, "%.*s: %s\n", int(kProgram.size()), kProgram.data(), text.c_str()); }

// Accepts --name VALUE, --name=VALUE and the single-dash forms.
bool parse(int argc, char** argv, Options& options, std::string& error) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-') {
            error = "unexpected argument '" + std::string(arg) + "'";
            return false;
        }
        arg.remove_prefix(arg[1] == '-' ? 2 : 1);
        std::string_view name = arg;
        std::optional<std::string> value;
        if (const auto eq = arg.find('='); eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = std::string(arg.substr(eq + 1));
        }
        if (name == "help" || name == "h") {
            options.help = true;
            continue;
        }
        std::string* target = name == "file" ? &options.file : name == "asciicast" ? &options.asciicast : nullptr;
        if (target == nullptr) {
            error = "unknown option '" + std::string(argv[i]) + "'";
            return false;
        }
        if (!value) {
            if (i + 1 >= argc) {
                error = "option --" + std::string(name) + " needs a value";
                return false;
            }
            value = argv[++i];
        }
        if (value->empty()) {
            error = "option --" + std::string(name) + " needs a non-empty value";
            return false;
        }
        *target = *value;
    }
    if (!options.help && options.file.empty()) {
        error = "--file is required";
        return false;
    }
    return true;
}

// A FILE* that is closed unless it is a standard stream.
struct FileCloser {
    void operator()(std::FILE* file) const {
        if (file != stdin && file != stdout) std::fclose(file);
    }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

class Output {
public:
    explicit Output(std::FILE* file) : file_(file) {}
    std::string& buffer() { return buffer_; }
    // Writes when enough has gathered (or always, with force).
    bool flush(bool force = false) {
        if (buffer_.empty() || (!force && buffer_.size() < 256 * 1024)) return true;
        const bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size();
        buffer_.clear();
        return ok;
    }

private:
    std::FILE* file_;
    std::string buffer_;
};

int run(const Options& options) {
    File input(options.file == "-" ? stdin : std::fopen(options.file.c_str(), "rb"));
    if (!input) {
        complain("cannot open the audit log " + options.file + ": " + std::strerror(errno));
        return kExitUsage;
    }
    const bool cast = !options.asciicast.empty();
    File output(cast && options.asciicast != "-" ? std::fopen(options.asciicast.c_str(), "wb") : stdout);
    if (!output) {
        complain("cannot create " + options.asciicast + ": " + std::strerror(errno));
        return kExitUsage;
    }

    Output out(output.get());
    audit_s3::AsciicastEncoder asciicast;
    bool write_failed = false;
    audit_s3::BinaryDecoder decoder([&](audit_s3::DecodedMessage&& message) {
        if (cast) {
            const audit_s3::MessageEvent event(message);
            asciicast.encode(event.event(), out.buffer());
        } else {
            audit_s3::append_message_json(out.buffer(), message);
            out.buffer() += '\n';
        }
        if (!out.flush()) write_failed = true;
    });

    int status = kExitOk;
    try {
        std::string chunk(256 * 1024, '\0');
        for (;;) {
            const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), input.get());
            if (n > 0) decoder.feed(std::string_view(chunk.data(), n));
            if (n < chunk.size()) {
                if (std::ferror(input.get())) {
                    complain("cannot read the audit log " + options.file + ": " + std::strerror(errno));
                    status = kExitUsage;
                }
                break;
            }
        }
        if (status == kExitOk) {
            const audit_s3::Ending ending = decoder.finish();
            if (ending == audit_s3::Ending::truncated) {
                complain("warning: the audit log is truncated: " + std::to_string(decoder.message_count()) +
                         " complete messages decoded, the rest of the connection is missing");
                status = kExitTruncated;
            }
        }
    } catch (const audit_s3::DecodeError& error) {
        complain("error: " + std::string(error.what()));
        status = kExitBadInput;
    }
    if (cast) asciicast.finish(out.buffer());
    if (!out.flush(true) || write_failed || std::fflush(output.get()) != 0) {
        complain("cannot write " + (cast && options.asciicast != "-" ? options.asciicast : std::string("the output")) +
                 ": " + std::strerror(errno));
        return kExitUsage;
    }
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    std::string error;
    if (!parse(argc, argv, options, error)) {
        complain(error);
        std::fputs(std::string(kUsage).c_str(), stderr);
        return kExitUsage;
    }
    if (options.help) {
        std::fputs(std::string(kUsage).c_str(), stdout);
        return kExitOk;
    }
    return run(options);
}
