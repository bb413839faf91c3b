// Authentication of one connection: each attempt (password, public key,
// keyboard-interactive) goes to the auth plugin that serves its method; a
// success then passes every authorization plugin, and the connection moves
// on (Connection::authenticated). Connection keeps transport and lifecycle;
// this object keeps what only the login needs.
#pragma once

#include "ssh/message.hpp"
#include "ssh/metadata.hpp"

#include <functional>
#include <map>
#include <string>
#include <utility>

namespace csh::ssh {

class Connection;
struct AuthAnswer;

// Who the client is, as far as the login has established it; Connection
// shows it to plugins (csh_connection_info) and in log lines.
struct Identity {
    std::string username;                // as the client sent it
    std::string authenticated_username;  // as the auth plugins decided; empty before
    Metadata metadata;
};

class Authenticator {
public:
    Authenticator(Connection& connection, Identity& identity) : connection_(connection), identity_(identity) {}

    // An SSH_REQUEST_AUTH message taken from the queue; it holds the queue
    // until this attempt is answered.
    void handle(Message message);
    // The connection is closing: a keyboard-interactive plugin waiting for
    // the client's answers learns that none will come (the ABI's empty answer).
    void connection_closing();

private:
    void password(Message message);
    void public_key(Message message);
    void keyboard_interactive(Message message);
    // An auth plugin's answer: on success, authorization follows.
    void answered(Message message, const char* method, const AuthAnswer& answer);
    void authorize(Message message, const char* method, size_t plugin_index);
    void refused(Message message, const char* method, bool unavailable, const std::string& reason);
    void send_banner_once();

    Connection& connection_;
    Identity& identity_;
    bool banner_sent_ = false;
    int failed_attempts_ = 0;
    // Keys the auth plugin accepted in the query phase, with their result.
    std::map<std::string, std::pair<std::string, Metadata>> approved_keys_;
    // Keyboard-interactive exchange in progress: what to do with the client's
    // answers, and how to tell the plugin the client left without answering.
    std::function<void(Message)> kbdint_answer_;
    std::function<void()> kbdint_abandon_;
};

}  // namespace csh::ssh
