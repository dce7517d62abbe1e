// The main() of fuzz targets in builds without libFuzzer: runs LLVMFuzzerTestOneInput on
// every file of the given corpus folders, then on a fixed number of mutations of them. The
// mutations come from a fixed seed, so a failure reproduces exactly; the failing input is
// written to crash-<n> in the working folder before the target runs it.
//
// Usage: fuzz_x [--mutations N] corpus_dir...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Input = std::vector<std::uint8_t>;

// Bytes that matter to the parsers we fuzz: separators, escapes, and UTF-8 edge bytes.
using namespace std::string_view_literals;
constexpr std::string_view kInteresting =
    "%&=+;:/?#\"\\ \r\n\t\x00\x7f\x80\xbf\xc0\xc3\xe2\xed\xf4\xff"sv;

Input read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Input(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs one input from its own heap block of exactly its size, so that a sanitizer sees any
// read past the end.
void run(const Input& input) {
  auto copy = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(input.size(), 1));
  std::copy(input.begin(), input.end(), copy.get());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
}

void save(const Input& input, std::size_t n) {
  std::ofstream out("crash-" + std::to_string(n), std::ios::binary);
  out.write(reinterpret_cast<const char*>(input.data()),
            static_cast<std::streamsize>(input.size()));
}

class Mutator {
 public:
  explicit Mutator(const std::vector<Input>& seeds) : seeds_(seeds) {}

  Input next() {
    Input input = seeds_.empty() ? Input{} : seeds_[pick(seeds_.size())];
    std::size_t steps = 1 + pick(4);
    for (std::size_t i = 0; i < steps; ++i) mutate(input);
    return input;
  }

 private:
  std::size_t pick(std::size_t n) { return n == 0 ? 0 : rng_() % n; }

  std::uint8_t any_byte() {
    if (pick(2) == 0) return static_cast<std::uint8_t>(kInteresting[pick(kInteresting.size())]);
    return static_cast<std::uint8_t>(rng_());
  }

  void mutate(Input& in) {
    std::size_t at = pick(in.size() + 1);
    switch (pick(6)) {
      case 0:  // insert a byte
        in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), any_byte());
        break;
      case 1:  // overwrite a byte
        if (!in.empty()) in[pick(in.size())] = any_byte();
        break;
      case 2:  // flip one bit
        if (!in.empty()) in[pick(in.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
        break;
      case 3:  // erase a run
        if (at < in.size()) {
          std::size_t len = 1 + pick(std::min<std::size_t>(in.size() - at, 8));
          auto from = in.begin() + static_cast<std::ptrdiff_t>(at);
          in.erase(from, from + static_cast<std::ptrdiff_t>(len));
        }
        break;
      case 4:  // duplicate a run, which grows repeated structure (many fields)
        if (!in.empty()) {
          std::size_t from = pick(in.size());
          std::size_t len = 1 + pick(std::min<std::size_t>(in.size() - from, 64));
          Input run(in.begin() + static_cast<std::ptrdiff_t>(from),
                    in.begin() + static_cast<std::ptrdiff_t>(from + len));
          for (std::size_t k = pick(16); k > 0; --k) in.insert(in.end(), run.begin(), run.end());
        }
        break;
      default:  // splice in part of another seed
        if (!seeds_.empty()) {
          const Input& other = seeds_[pick(seeds_.size())];
          std::size_t from = pick(other.size() + 1);
          in.insert(in.begin() + static_cast<std::ptrdiff_t>(at),
                    other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        }
        break;
    }
  }

  const std::vector<Input>& seeds_;
  std::mt19937_64 rng_{0x5eed5eedULL};
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t mutations = 0;
  std::vector<Input> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::strtoull(argv[++i], nullptr, 10);
      continue;
    }
    // A missing corpus folder is a mistake in the build, not an empty corpus.
    if (!std::filesystem::is_directory(arg)) {
      std::fprintf(stderr, "fuzz driver: %s is not a folder\n", argv[i]);
      return 2;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // directory order varies; runs must not
    for (const auto& f : files) seeds.push_back(read_file(f));
  }

  for (const Input& seed : seeds) run(seed);
  Mutator mutator(seeds);
  for (std::size_t n = 0; n < mutations; ++n) {
    Input input = mutator.next();
    save(input, n);
    run(input);
    std::filesystem::remove("crash-" + std::to_string(n));
  }
  std::printf("fuzz driver: %zu seeds, %zu mutations, no failure\n", seeds.size(), mutations);
  return 0;
}
