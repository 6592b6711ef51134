// `sluice keygen [NAME] [-d DIR]`: a CURVE certificate pair, NAME.key (public, to share) and
// NAME.key_secret (mode 0600); the public key is printed.
#include <cstdio>
#include <memory>
#include <string>

#include "daemon/commands/commands.h"

namespace sluice::daemon {

Subcommand add_keygen_command(CLI::App& app) {
  struct Options {
    std::string dir = ".";
    std::string name = "sluice";
  };
  auto options = std::make_shared<Options>();
  auto* keygen = app.add_subcommand(
      "keygen", "Write a CURVE certificate pair: NAME.key (public, to share) and NAME.key_secret (mode 0600)");
  keygen->add_option("name", options->name, "Base name of the two files")->capture_default_str();
  keygen->add_option("-d,--dir", options->dir, "Directory to write them in")->capture_default_str();
  return {keygen, [options] {
            try {
              const auto keys = pipeline::write_certificates(options->dir, options->name);
              std::printf("%s\n", keys.public_key.c_str());
              std::fprintf(stderr, "sluice keygen: wrote %s/%s.key and %s/%s.key_secret (mode 0600)\n",
                           options->dir.c_str(), options->name.c_str(), options->dir.c_str(), options->name.c_str());
              return 0;
            } catch (const std::exception& e) {
              std::fprintf(stderr, "sluice keygen: %s\n", e.what());
              return 1;
            }
          }};
}

}  // namespace sluice::daemon
