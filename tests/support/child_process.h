#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aftersales::testing {

// A program started for a test, stopped by its pid. Output goes to log_path. The destructor
// kills it (SIGKILL) if the test did not stop it: no server outlives its test.
class ChildProcess {
 public:
  static absl::StatusOr<ChildProcess> Start(const std::vector<std::string>& argv,
                                            const std::string& log_path);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends the signal and waits up to timeout; returns the exit code (128+N when killed by N).
  absl::StatusOr<int> Stop(int signal, absl::Duration timeout);
  // Waits up to timeout for it to exit on its own (SIGKILL after); returns the exit code.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  std::string Log() const;

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_ = -1;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
int FreePort();
// True once something accepts connections on 127.0.0.1:port.
bool WaitForPort(int port, absl::Duration timeout);
// A fresh directory under $TMPDIR (or /tmp).
std::string MakeTempDir(const std::string& prefix);

// A fresh directory for the logs of a test's processes. Removed with its logs when the test
// program has had no failure, so that runs do not pile up in /tmp; kept otherwise, and named on
// stderr, for whoever reads the failure.
class TestLogDir {
 public:
  explicit TestLogDir(const std::string& prefix) : path_(MakeTempDir(prefix)) {}
  ~TestLogDir();
  TestLogDir(const TestLogDir&) = delete;
  TestLogDir& operator=(const TestLogDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace aftersales::testing
