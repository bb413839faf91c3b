// Writing a connection's metadata files into its container or pod one after
// the other, in path order: each write is asynchronous (an exec of the
// agent's write-file), and the next starts when the one before reported.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace csh::backend_support {

// Calls `write_one(path, contents, next)` for each file; `write_one` calls
// `next` exactly once, when its write is over (whatever came of it). `done`
// runs after the last. `files` must outlive the sequence.
inline void write_sequentially(
    const std::map<std::string, std::string>& files,
    std::function<void(const std::string& path, const std::string& contents, std::function<void()> next)> write_one,
    std::function<void()> done) {
    struct Sequence : std::enable_shared_from_this<Sequence> {
        std::map<std::string, std::string>::const_iterator next, end;
        std::function<void(const std::string&, const std::string&, std::function<void()>)> write_one;
        std::function<void()> done;

        void step() {
            if (next == end) return done();
            const auto file = next++;
            auto self = shared_from_this();
            write_one(file->first, file->second, [self] { self->step(); });
        }
    };
    auto sequence = std::make_shared<Sequence>();
    sequence->next = files.begin();
    sequence->end = files.end();
    sequence->write_one = std::move(write_one);
    sequence->done = std::move(done);
    sequence->step();
}

}  // namespace csh::backend_support
