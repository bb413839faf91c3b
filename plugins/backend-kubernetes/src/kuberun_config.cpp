#include "kubernetes_config.hpp"

#include "messages.hpp"

#include <containerssh/sdk/types.hpp>

namespace backend_kubernetes {

KubernetesConfig KubernetesConfig::from_kuberun_section(std::string_view section_json, const char* error_code) {
    (void)section_json;
    throw csh::sdk::Error(error_code, "the kuberun section is not supported yet", {{"key", "kuberun"}});
}

}  // namespace backend_kubernetes
