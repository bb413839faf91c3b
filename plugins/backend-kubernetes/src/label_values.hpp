// Values for the labels and annotations of the pods this backend creates.
// A Kubernetes label value is at most 63 characters of [A-Za-z0-9._-],
// beginning and ending with a letter or digit (or empty); the API server
// refuses a pod whose labels break this, so everything put in one is made
// valid here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace backend_kubernetes {

inline constexpr std::size_t kMaxLabelValue = 63;

// containerssh_username, as ContainerSSH makes it: every character other than
// a letter, digit or '.' becomes '-' (one '-' per UTF-8 character). Ours on
// top: characters at either end that are not a letter or digit are dropped,
// so that the value is valid ("alice." gives "alice"). nullopt when the result
// is longer than 63 characters (the caller logs KUBERNETES_USERNAME_TOO_LONG
// and leaves the label out) or empty.
std::optional<std::string> username_label_value(std::string_view username);

// Any text made into a label value by the same rule, cut to 63 characters
// (for values from authentication metadata and the instance id).
std::string label_value(std::string_view text);

// containerssh_ip, as ContainerSSH makes it: the address with ':' as '-'
// (an annotation, so nothing else needs changing).
std::string ip_annotation_value(std::string_view ip);

}  // namespace backend_kubernetes
