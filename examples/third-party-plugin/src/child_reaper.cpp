#include "child_reaper.hpp"

#include "messages.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace backend_local {

using csh::sdk::FdWatch;
using csh::sdk::Host;

namespace {

// Reaps `pid` if it has exited; true and its status when it did.
bool try_reap(pid_t pid, int& status) {
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return true;
        if (r < 0 && errno == EINTR) continue;
        return false;
    }
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// ---------------------------------------------------------------- pidfd

class PidfdExitWatch final : public ExitWatch {
public:
    PidfdExitWatch(const Host& host, csh_strand* strand, pid_t pid, ChildReaper::ExitFn on_exit)
        : pidfd_(pidfd_open(pid)) {
        if (!pidfd_.valid()) {
            throw csh::sdk::Error(codes::BACKEND_LOCAL_INTERNAL_ERROR,
                                  std::string("pidfd_open failed: ") + std::strerror(errno));
        }
        // A pidfd turns readable when the process ends.
        watch_ = host.fd_watch_start(strand, pidfd_.get(), CSH_FD_READ,
                                     [this, pid, on_exit = std::move(on_exit)](uint32_t) {
                                         int status = 0;
                                         if (!try_reap(pid, status)) return;
                                         watch_.stop();
                                         on_exit(status);
                                     });
    }
    ~PidfdExitWatch() override { watch_.stop(); }

private:
    UniqueFd pidfd_;
    FdWatch watch_;
};

class PidfdReaper final : public ChildReaper {
public:
    explicit PidfdReaper(Host host) : host_(std::move(host)) {}
    std::unique_ptr<ExitWatch> watch(csh_strand* strand, pid_t pid, ExitFn on_exit) override {
        return std::make_unique<PidfdExitWatch>(host_, strand, pid, std::move(on_exit));
    }
    const char* mechanism() const override { return "pidfd"; }

private:
    Host host_;
};

// -------------------------------------------------------------- SIGCHLD

// The handler can only reach globals: the self-pipe's write end and the
// handler it replaced (called too, so the host keeps its own SIGCHLD logic).
std::atomic<int> g_sigchld_pipe{-1};
struct sigaction g_previous_sigchld {};

void on_sigchld(int sig, siginfo_t* info, void* context) {
    const int saved_errno = errno;
    const int fd = g_sigchld_pipe.load();
    if (fd >= 0) {
        const char byte = 0;
        [[maybe_unused]] const ssize_t ignored = ::write(fd, &byte, 1);
    }
    if ((g_previous_sigchld.sa_flags & SA_SIGINFO) != 0 && g_previous_sigchld.sa_sigaction != nullptr) {
        g_previous_sigchld.sa_sigaction(sig, info, context);
    } else if (g_previous_sigchld.sa_handler != SIG_DFL && g_previous_sigchld.sa_handler != SIG_IGN &&
               g_previous_sigchld.sa_handler != nullptr) {
        g_previous_sigchld.sa_handler(sig);
    }
    errno = saved_errno;
}

class SigchldReaper;

struct Registration {
    csh_strand* strand;
    ChildReaper::ExitFn on_exit;
    std::shared_ptr<bool> alive;  // touched only on `strand`
};

class SigchldExitWatch final : public ExitWatch {
public:
    SigchldExitWatch(SigchldReaper& reaper, pid_t pid, std::shared_ptr<bool> alive)
        : reaper_(reaper), pid_(pid), alive_(std::move(alive)) {}
    ~SigchldExitWatch() override;

private:
    SigchldReaper& reaper_;
    pid_t pid_;
    std::shared_ptr<bool> alive_;
};

class SigchldReaper final : public ChildReaper {
public:
    explicit SigchldReaper(Host host) : host_(std::move(host)), strand_(host_.strand_create()) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
            throw csh::sdk::Error(codes::BACKEND_LOCAL_INTERNAL_ERROR,
                                  std::string("cannot create the SIGCHLD pipe: ") + std::strerror(errno));
        }
        read_end_.reset(fds[0]);
        write_end_.reset(fds[1]);
        int expected = -1;
        if (!g_sigchld_pipe.compare_exchange_strong(expected, write_end_.get())) {
            throw csh::sdk::Error(codes::BACKEND_LOCAL_INTERNAL_ERROR, "another SIGCHLD reaper is already installed");
        }
        struct sigaction action {};
        action.sa_sigaction = &on_sigchld;
        action.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGCHLD, &action, &g_previous_sigchld);
        watch_ = host_.fd_watch_start(strand_, read_end_.get(), CSH_FD_READ, [this](uint32_t) { on_signal(); });
    }

    ~SigchldReaper() override {
        ::sigaction(SIGCHLD, &g_previous_sigchld, nullptr);
        g_sigchld_pipe.store(-1);
        watch_.stop();  // deinit runs on the control thread after all sessions are gone
        host_.strand_destroy(strand_);
    }

    std::unique_ptr<ExitWatch> watch(csh_strand* strand, pid_t pid, ExitFn on_exit) override {
        auto alive = std::make_shared<bool>(true);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            children_[pid] = Registration{strand, std::move(on_exit), alive};
        }
        // The child may have ended before it was registered: look once now.
        host_.post(strand_, [this] { reap_registered(); });
        return std::make_unique<SigchldExitWatch>(*this, pid, std::move(alive));
    }
    const char* mechanism() const override { return "sigchld"; }

    void forget(pid_t pid) {
        std::lock_guard<std::mutex> lock(mutex_);
        children_.erase(pid);
    }

private:
    void on_signal() {
        char buffer[64];
        while (::read(read_end_.get(), buffer, sizeof buffer) > 0) {
        }
        reap_registered();
    }

    // Reaps every registered child that ended and reports it on its strand.
    void reap_registered() {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = children_.begin(); it != children_.end();) {
            int status = 0;
            if (!try_reap(it->first, status)) {
                ++it;
                continue;
            }
            Registration done = std::move(it->second);
            it = children_.erase(it);
            host_.post(done.strand, [done, status] {
                if (*done.alive) done.on_exit(status);
            });
        }
    }

    Host host_;
    csh_strand* strand_;
    UniqueFd read_end_;
    UniqueFd write_end_;
    FdWatch watch_;
    std::mutex mutex_;
    std::map<pid_t, Registration> children_;
};

SigchldExitWatch::~SigchldExitWatch() {
    *alive_ = false;
    reaper_.forget(pid_);
}

bool kernel_has_pidfd() {
    const int fd = pidfd_open(::getpid());
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

}  // namespace

std::unique_ptr<ChildReaper> ChildReaper::create(const Host& host, ExitNotification mode) {
    const bool use_pidfd =
        mode == ExitNotification::pidfd || (mode == ExitNotification::automatic && kernel_has_pidfd());
    if (use_pidfd) return std::make_unique<PidfdReaper>(host);
    return std::make_unique<SigchldReaper>(host);
}

}  // namespace backend_local
