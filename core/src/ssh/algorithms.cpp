#include "ssh/algorithms.hpp"

#include "config/ssh_algorithms.hpp"

namespace csh::ssh {

AlgorithmChoice choose_algorithms(const config::detail::AlgorithmFamily& family,
                                  const std::vector<std::string>& configured) {
    AlgorithmChoice choice;
    for (const auto& name : configured) {
        if (!family.implemented(name)) {
            choice.dropped.push_back(name);
            continue;
        }
        if (!choice.offered.empty()) choice.offered += ',';
        choice.offered += name;
    }
    return choice;
}

}  // namespace csh::ssh
