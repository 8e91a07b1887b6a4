// WASI preview1 host functions over POSIX.
#include "witc/engine/wasi.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>
#include <unordered_map>

namespace witc::engine {

namespace {

// WASI errno values.
enum : std::uint32_t {
  e_success = 0, e_2big = 1, e_acces = 2, e_again = 6, e_badf = 8, e_exist = 20, e_fault = 21,
  e_inval = 28, e_io = 29, e_isdir = 31, e_loop = 32, e_mfile = 33, e_nametoolong = 37,
  e_noent = 44, e_nospc = 51, e_nosys = 52, e_notdir = 54, e_notempty = 55, e_perm = 63,
  e_spipe = 70, e_xdev = 75, e_notcapable = 76,
};

std::uint32_t from_errno(int e) {
  switch (e) {
    case E2BIG: return e_2big;
    case EACCES: return e_acces;
    case EAGAIN: return e_again;
    case EBADF: return e_badf;
    case EEXIST: return e_exist;
    case EFAULT: return e_fault;
    case EINVAL: return e_inval;
    case EISDIR: return e_isdir;
    case ELOOP: return e_loop;
    case EMFILE: return e_mfile;
    case ENAMETOOLONG: return e_nametoolong;
    case ENOENT: return e_noent;
    case ENOSPC: return e_nospc;
    case ENOSYS: return e_nosys;
    case ENOTDIR: return e_notdir;
    case ENOTEMPTY: return e_notempty;
    case EPERM: return e_perm;
    case ESPIPE: return e_spipe;
    case EXDEV: return e_notcapable;  // RESOLVE_BENEATH refusing an escape
    default: return e_io;
  }
}

enum : std::uint8_t { ft_unknown = 0, ft_char = 2, ft_dir = 3, ft_regular = 4, ft_symlink = 7 };

std::uint8_t filetype_of(mode_t m) {
  if (S_ISDIR(m)) return ft_dir;
  if (S_ISREG(m)) return ft_regular;
  if (S_ISCHR(m)) return ft_char;
  if (S_ISLNK(m)) return ft_symlink;
  return ft_unknown;
}

struct fd_entry {
  int host = -1;
  bool open = false;
  bool preopen = false;
  bool own = true;  // close the host descriptor on fd_close
  std::string guest_path;
  std::uint8_t type = ft_unknown;
  std::uint16_t flags = 0;
};

}  // namespace

struct wasi::state {
  wasi_config cfg;
  std::vector<fd_entry> fds;

  fd_entry* get(std::uint32_t fd) {
    if (fd >= fds.size() || !fds[fd].open) return nullptr;
    return &fds[fd];
  }
  std::uint32_t add(fd_entry e) {
    for (std::uint32_t i = 3; i < fds.size(); ++i)
      if (!fds[i].open) {
        fds[i] = std::move(e);
        return i;
      }
    fds.push_back(std::move(e));
    return static_cast<std::uint32_t>(fds.size() - 1);
  }
};

namespace {

using io_t = std::span<std::uint64_t>;
using wstate = wasi::state;

// Guest memory access for one host call; every pointer is bounds-checked.
struct mem_view {
  memory_inst* m;
  bool ok(std::uint64_t addr, std::uint64_t len) const {
    return m && addr <= m->size && len <= m->size - addr;
  }
  std::uint8_t* at(std::uint64_t addr) const { return m->base + addr; }
  template <class T>
  bool put(std::uint64_t addr, T v) const {
    if (!ok(addr, sizeof(T))) return false;
    std::memcpy(at(addr), &v, sizeof(T));
    return true;
  }
  template <class T>
  bool get(std::uint64_t addr, T& v) const {
    if (!ok(addr, sizeof(T))) return false;
    std::memcpy(&v, at(addr), sizeof(T));
    return true;
  }
};

std::uint32_t a32(io_t io, int i) { return static_cast<std::uint32_t>(io[static_cast<std::size_t>(i)]); }

// Resolves a guest path beneath directory `dirfd`; RESOLVE_BENEATH refuses `..` escapes,
// absolute paths and symlinks that leave the directory.
int open_beneath(int dirfd, const std::string& path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags) | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof(how)));
}

// Splits `path` into its parent (opened beneath `dirfd`) and last component, so that
// operations on the last component (`unlinkat`, `mkdirat`, ...) stay confined.
struct parent_ref {
  int fd = -1;
  std::string name;
  std::uint32_t err = e_success;
  ~parent_ref() {
    if (fd >= 0) close(fd);
  }
};
void open_parent(int dirfd, std::string path, parent_ref& out) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  out.name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (out.name.empty() || out.name == "..") {
    out.err = e_notcapable;
    return;
  }
  if (!path.empty() && path[0] == '/') {
    out.err = e_notcapable;
    return;
  }
  out.fd = open_beneath(dirfd, dir, O_RDONLY | O_DIRECTORY | O_PATH, 0);
  if (out.fd < 0) out.err = from_errno(errno);
}

std::uint64_t ts(const struct timespec& t) {
  return static_cast<std::uint64_t>(t.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(t.tv_nsec);
}

bool write_filestat(const mem_view& mv, std::uint32_t p, const struct stat& st) {
  if (!mv.ok(p, 64)) return false;
  std::memset(mv.at(p), 0, 64);
  mv.put<std::uint64_t>(p, st.st_dev);
  mv.put<std::uint64_t>(p + 8, st.st_ino);
  mv.put<std::uint8_t>(p + 16, filetype_of(st.st_mode));
  mv.put<std::uint64_t>(p + 24, st.st_nlink);
  mv.put<std::uint64_t>(p + 32, static_cast<std::uint64_t>(st.st_size));
  mv.put<std::uint64_t>(p + 40, ts(st.st_atim));
  mv.put<std::uint64_t>(p + 48, ts(st.st_mtim));
  mv.put<std::uint64_t>(p + 56, ts(st.st_ctim));
  return true;
}

bool read_string(const mem_view& mv, std::uint32_t p, std::uint32_t len, std::string& out) {
  if (!mv.ok(p, len)) return false;
  out.assign(reinterpret_cast<const char*>(mv.at(p)), len);
  return out.find('\0') == std::string::npos;
}

// Gathers iovecs into host iovecs, all bounds-checked.
bool iovecs(const mem_view& mv, std::uint32_t iov, std::uint32_t n, std::vector<struct iovec>& out) {
  if (n > 1024) return false;
  out.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t buf, len;
    if (!mv.get(iov + i * 8, buf) || !mv.get(iov + i * 8 + 4, len)) return false;
    if (!mv.ok(buf, len)) return false;
    out.push_back({mv.at(buf), len});
  }
  return true;
}

using handler = std::uint32_t (*)(wstate&, caller&, const mem_view&, io_t);

struct wasi_fn {
  const char* name;
  const char* sig;  // params '>' results, i = i32, I = i64
  handler fn;
};

std::uint32_t strings_sizes(const std::vector<std::string>& v, const mem_view& mv, io_t io) {
  std::uint32_t total = 0;
  for (auto& s : v) total += static_cast<std::uint32_t>(s.size() + 1);
  if (!mv.put<std::uint32_t>(a32(io, 0), static_cast<std::uint32_t>(v.size())) || !mv.put<std::uint32_t>(a32(io, 1), total)) return e_fault;
  return e_success;
}
std::uint32_t strings_get(const std::vector<std::string>& v, const mem_view& mv, io_t io) {
  std::uint32_t ptrs = a32(io, 0), buf = a32(io, 1);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!mv.put<std::uint32_t>(ptrs + static_cast<std::uint32_t>(i) * 4, buf)) return e_fault;
    if (!mv.ok(buf, v[i].size() + 1)) return e_fault;
    std::memcpy(mv.at(buf), v[i].c_str(), v[i].size() + 1);
    buf += static_cast<std::uint32_t>(v[i].size() + 1);
  }
  return e_success;
}

clockid_t host_clock(std::uint32_t id, bool& ok) {
  ok = true;
  switch (id) {
    case 0: return CLOCK_REALTIME;
    case 1: return CLOCK_MONOTONIC;
    case 2: return CLOCK_PROCESS_CPUTIME_ID;
    case 3: return CLOCK_THREAD_CPUTIME_ID;
    default: ok = false; return CLOCK_REALTIME;
  }
}

const wasi_fn wasi_fns[] = {
    {"args_sizes_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) { return strings_sizes(s.cfg.args, mv, io); }},
    {"args_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) { return strings_get(s.cfg.args, mv, io); }},
    {"environ_sizes_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) { return strings_sizes(s.cfg.env, mv, io); }},
    {"environ_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) { return strings_get(s.cfg.env, mv, io); }},
    {"clock_res_get", "ii>i", [](wstate&, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       bool ok;
       clockid_t c = host_clock(a32(io, 0), ok);
       if (!ok) return e_inval;
       struct timespec t{};
       clock_getres(c, &t);
       return mv.put<std::uint64_t>(a32(io, 1), ts(t)) ? e_success : e_fault;
     }},
    {"clock_time_get", "iIi>i", [](wstate&, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       bool ok;
       clockid_t c = host_clock(a32(io, 0), ok);
       if (!ok) return e_inval;
       struct timespec t{};
       clock_gettime(c, &t);
       return mv.put<std::uint64_t>(a32(io, 2), ts(t)) ? e_success : e_fault;
     }},
    {"random_get", "ii>i", [](wstate&, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       std::uint32_t p = a32(io, 0), n = a32(io, 1);
       if (!mv.ok(p, n)) return e_fault;
       std::uint32_t done = 0;
       while (done < n) {
         ssize_t r = getrandom(mv.at(p + done), n - done, 0);
         if (r < 0) {
           if (errno == EINTR) continue;
           return e_io;
         }
         done += static_cast<std::uint32_t>(r);
       }
       return e_success;
     }},
    {"fd_write", "iiii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       std::vector<struct iovec> v;
       if (!iovecs(mv, a32(io, 1), a32(io, 2), v)) return e_fault;
       ssize_t n = writev(e->host, v.data(), static_cast<int>(v.size()));
       if (n < 0) return from_errno(errno);
       return mv.put<std::uint32_t>(a32(io, 3), static_cast<std::uint32_t>(n)) ? e_success : e_fault;
     }},
    {"fd_read", "iiii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       std::vector<struct iovec> v;
       if (!iovecs(mv, a32(io, 1), a32(io, 2), v)) return e_fault;
       ssize_t n = readv(e->host, v.data(), static_cast<int>(v.size()));
       if (n < 0) return from_errno(errno);
       return mv.put<std::uint32_t>(a32(io, 3), static_cast<std::uint32_t>(n)) ? e_success : e_fault;
     }},
    {"fd_pwrite", "iiiIi>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       std::vector<struct iovec> v;
       if (!iovecs(mv, a32(io, 1), a32(io, 2), v)) return e_fault;
       ssize_t n = pwritev(e->host, v.data(), static_cast<int>(v.size()), static_cast<off_t>(io[3]));
       if (n < 0) return from_errno(errno);
       return mv.put<std::uint32_t>(a32(io, 4), static_cast<std::uint32_t>(n)) ? e_success : e_fault;
     }},
    {"fd_pread", "iiiIi>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       std::vector<struct iovec> v;
       if (!iovecs(mv, a32(io, 1), a32(io, 2), v)) return e_fault;
       ssize_t n = preadv(e->host, v.data(), static_cast<int>(v.size()), static_cast<off_t>(io[3]));
       if (n < 0) return from_errno(errno);
       return mv.put<std::uint32_t>(a32(io, 4), static_cast<std::uint32_t>(n)) ? e_success : e_fault;
     }},
    {"fd_close", "i>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       if (e->own) close(e->host);
       *e = fd_entry{};
       return e_success;
     }},
    {"fd_seek", "iIii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       if (e->type == ft_dir) return e_badf;
       std::uint32_t w = a32(io, 2);
       if (w > 2) return e_inval;
       int whence = w == 0 ? SEEK_SET : w == 1 ? SEEK_CUR : SEEK_END;
       off_t r = lseek(e->host, static_cast<off_t>(io[1]), whence);
       if (r < 0) return from_errno(errno);
       return mv.put<std::uint64_t>(a32(io, 3), static_cast<std::uint64_t>(r)) ? e_success : e_fault;
     }},
    {"fd_tell", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       off_t r = lseek(e->host, 0, SEEK_CUR);
       if (r < 0) return from_errno(errno);
       return mv.put<std::uint64_t>(a32(io, 1), static_cast<std::uint64_t>(r)) ? e_success : e_fault;
     }},
    {"fd_sync", "i>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       return fsync(e->host) == 0 ? e_success : from_errno(errno);
     }},
    {"fd_datasync", "i>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       return fdatasync(e->host) == 0 ? e_success : from_errno(errno);
     }},
    {"fd_advise", "iIIi>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       return s.get(a32(io, 0)) ? e_success : e_badf;
     }},
    {"fd_allocate", "iII>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       return posix_fallocate(e->host, static_cast<off_t>(io[1]), static_cast<off_t>(io[2])) == 0 ? e_success : e_io;
     }},
    {"fd_fdstat_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       std::uint32_t p = a32(io, 1);
       if (!mv.ok(p, 24)) return e_fault;
       std::memset(mv.at(p), 0, 24);
       mv.put<std::uint8_t>(p, e->type);
       mv.put<std::uint16_t>(p + 2, e->flags);
       mv.put<std::uint64_t>(p + 8, ~0ull);
       mv.put<std::uint64_t>(p + 16, ~0ull);
       return e_success;
     }},
    {"fd_fdstat_set_flags", "ii>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       std::uint32_t f = a32(io, 1);
       int fl = fcntl(e->host, F_GETFL);
       if (f & 1) fl |= O_APPEND; else fl &= ~O_APPEND;
       if (f & 4) fl |= O_NONBLOCK; else fl &= ~O_NONBLOCK;
       if (fcntl(e->host, F_SETFL, fl) != 0) return from_errno(errno);
       e->flags = static_cast<std::uint16_t>(f);
       return e_success;
     }},
    {"fd_fdstat_set_rights", "iII>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       return s.get(a32(io, 0)) ? e_success : e_badf;
     }},
    {"fd_filestat_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       struct stat st{};
       if (fstat(e->host, &st) != 0) return from_errno(errno);
       return write_filestat(mv, a32(io, 1), st) ? e_success : e_fault;
     }},
    {"fd_filestat_set_size", "iI>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       return ftruncate(e->host, static_cast<off_t>(io[1])) == 0 ? e_success : from_errno(errno);
     }},
    {"fd_filestat_set_times", "iIIi>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       return s.get(a32(io, 0)) ? e_success : e_badf;
     }},
    {"fd_prestat_get", "ii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       if (!e->preopen) return e_badf;
       std::uint32_t p = a32(io, 1);
       if (!mv.put<std::uint32_t>(p, 0) || !mv.put<std::uint32_t>(p + 4, static_cast<std::uint32_t>(e->guest_path.size()))) return e_fault;
       return e_success;
     }},
    {"fd_prestat_dir_name", "iii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e || !e->preopen) return e_badf;
       std::uint32_t p = a32(io, 1), len = a32(io, 2);
       if (len < e->guest_path.size()) return e_nametoolong;
       if (!mv.ok(p, e->guest_path.size())) return e_fault;
       std::memcpy(mv.at(p), e->guest_path.data(), e->guest_path.size());
       return e_success;
     }},
    {"fd_readdir", "iiiIi>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* e = s.get(a32(io, 0));
       if (!e) return e_badf;
       if (e->type != ft_dir) return e_notdir;
       std::uint32_t buf = a32(io, 1), len = a32(io, 2);
       std::uint64_t cookie = io[3];
       if (!mv.ok(buf, len)) return e_fault;
       int dfd = openat(e->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
       if (dfd < 0) return from_errno(errno);
       DIR* dir = fdopendir(dfd);
       if (!dir) {
         close(dfd);
         return from_errno(errno);
       }
       std::uint32_t used = 0;
       std::uint64_t index = 0;
       while (struct dirent* de = readdir(dir)) {
         if (index++ < cookie) continue;
         std::uint32_t nlen = static_cast<std::uint32_t>(std::strlen(de->d_name));
         std::uint8_t head[24] = {};
         std::uint64_t next = index;
         std::uint64_t ino = de->d_ino;
         std::memcpy(head, &next, 8);
         std::memcpy(head + 8, &ino, 8);
         std::memcpy(head + 16, &nlen, 4);
         head[20] = de->d_type == DT_DIR ? ft_dir : de->d_type == DT_REG ? ft_regular : de->d_type == DT_LNK ? ft_symlink : ft_unknown;
         std::uint32_t take = std::min<std::uint32_t>(24, len - used);
         std::memcpy(mv.at(buf + used), head, take);
         used += take;
         if (used == len) break;
         take = std::min<std::uint32_t>(nlen, len - used);
         std::memcpy(mv.at(buf + used), de->d_name, take);
         used += take;
         if (used == len) break;
       }
       closedir(dir);
       return mv.put<std::uint32_t>(a32(io, 4), used) ? e_success : e_fault;
     }},
    {"fd_renumber", "ii>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       std::uint32_t from = a32(io, 0), to = a32(io, 1);
       fd_entry* a = s.get(from);
       fd_entry* b = s.get(to);
       if (!a || !b) return e_badf;
       if (from == to) return e_success;
       if (b->own) close(b->host);
       s.fds[to] = s.fds[from];
       s.fds[from] = fd_entry{};
       return e_success;
     }},
    {"path_open", "iiiiiIIii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d = s.get(a32(io, 0));
       if (!d) return e_badf;
       if (d->type != ft_dir) return e_notdir;
       std::string path;
       if (!read_string(mv, a32(io, 2), a32(io, 3), path)) return e_fault;
       std::uint32_t oflags = a32(io, 4);
       std::uint64_t rights = io[5];
       std::uint32_t fdflags = a32(io, 7);
       bool want_read = rights & ((1ull << 1) | (1ull << 14));  // fd_read, fd_readdir
       bool want_write = rights & ((1ull << 6) | (1ull << 22) | (1ull << 3));  // fd_write, set_size, allocate
       int flags = 0;
       if (oflags & 2) flags |= O_DIRECTORY;
       if (oflags & 1) flags |= O_CREAT;
       if (oflags & 4) flags |= O_EXCL;
       if (oflags & 8) flags |= O_TRUNC;
       if (fdflags & 1) flags |= O_APPEND;
       if (!(a32(io, 1) & 1)) flags |= O_NOFOLLOW;
       if ((want_write || (oflags & (1 | 8))) && !(oflags & 2)) flags |= want_read ? O_RDWR : O_WRONLY;
       else flags |= O_RDONLY;
       int fd = open_beneath(d->host, path, flags, 0666);
       if (fd < 0 && errno == EISDIR && (flags & O_ACCMODE) != O_RDONLY) {
         fd = open_beneath(d->host, path, (flags & ~O_ACCMODE) | O_RDONLY, 0666);
       }
       if (fd < 0) return from_errno(errno);
       struct stat st{};
       fstat(fd, &st);
       fd_entry e;
       e.host = fd;
       e.open = true;
       e.type = filetype_of(st.st_mode);
       e.flags = static_cast<std::uint16_t>(fdflags);
       std::uint32_t nfd = s.add(std::move(e));
       return mv.put<std::uint32_t>(a32(io, 8), nfd) ? e_success : e_fault;
     }},
    {"path_filestat_get", "iiiii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d = s.get(a32(io, 0));
       if (!d) return e_badf;
       std::string path;
       if (!read_string(mv, a32(io, 2), a32(io, 3), path)) return e_fault;
       int flags = O_PATH | ((a32(io, 1) & 1) ? 0 : O_NOFOLLOW);
       int fd = open_beneath(d->host, path, flags, 0);
       if (fd < 0) return from_errno(errno);
       struct stat st{};
       int r = fstat(fd, &st);
       close(fd);
       if (r != 0) return from_errno(errno);
       return write_filestat(mv, a32(io, 4), st) ? e_success : e_fault;
     }},
    {"path_filestat_set_times", "iiiiIIi>i", [](wstate& s, caller&, const mem_view&, io_t io) -> std::uint32_t {
       return s.get(a32(io, 0)) ? e_success : e_badf;
     }},
    {"path_create_directory", "iii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d = s.get(a32(io, 0));
       if (!d) return e_badf;
       std::string path;
       if (!read_string(mv, a32(io, 1), a32(io, 2), path)) return e_fault;
       parent_ref p;
       open_parent(d->host, path, p);
       if (p.err) return p.err;
       return mkdirat(p.fd, p.name.c_str(), 0777) == 0 ? e_success : from_errno(errno);
     }},
    {"path_remove_directory", "iii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d = s.get(a32(io, 0));
       if (!d) return e_badf;
       std::string path;
       if (!read_string(mv, a32(io, 1), a32(io, 2), path)) return e_fault;
       parent_ref p;
       open_parent(d->host, path, p);
       if (p.err) return p.err;
       return unlinkat(p.fd, p.name.c_str(), AT_REMOVEDIR) == 0 ? e_success : from_errno(errno);
     }},
    {"path_unlink_file", "iii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d = s.get(a32(io, 0));
       if (!d) return e_badf;
       std::string path;
       if (!read_string(mv, a32(io, 1), a32(io, 2), path)) return e_fault;
       parent_ref p;
       open_parent(d->host, path, p);
       if (p.err) return p.err;
       return unlinkat(p.fd, p.name.c_str(), 0) == 0 ? e_success : from_errno(errno);
     }},
    {"path_rename", "iiiiii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d1 = s.get(a32(io, 0));
       fd_entry* d2 = s.get(a32(io, 3));
       if (!d1 || !d2) return e_badf;
       std::string p1, p2;
       if (!read_string(mv, a32(io, 1), a32(io, 2), p1) || !read_string(mv, a32(io, 4), a32(io, 5), p2)) return e_fault;
       parent_ref a, b;
       open_parent(d1->host, p1, a);
       if (a.err) return a.err;
       open_parent(d2->host, p2, b);
       if (b.err) return b.err;
       return renameat(a.fd, a.name.c_str(), b.fd, b.name.c_str()) == 0 ? e_success : from_errno(errno);
     }},
    {"path_readlink", "iiiiii>i", [](wstate& s, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       fd_entry* d = s.get(a32(io, 0));
       if (!d) return e_badf;
       std::string path;
       if (!read_string(mv, a32(io, 1), a32(io, 2), path)) return e_fault;
       parent_ref p;
       open_parent(d->host, path, p);
       if (p.err) return p.err;
       std::uint32_t buf = a32(io, 3), len = a32(io, 4);
       if (!mv.ok(buf, len)) return e_fault;
       ssize_t n = readlinkat(p.fd, p.name.c_str(), reinterpret_cast<char*>(mv.at(buf)), len);
       if (n < 0) return from_errno(errno);
       return mv.put<std::uint32_t>(a32(io, 5), static_cast<std::uint32_t>(n)) ? e_success : e_fault;
     }},
    {"path_symlink", "iiiii>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_notcapable; }},
    {"path_link", "iiiiiii>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_notcapable; }},
    {"poll_oneoff", "iiii>i", [](wstate&, caller&, const mem_view& mv, io_t io) -> std::uint32_t {
       // Clock subscriptions sleep; descriptor subscriptions are reported ready at once.
       std::uint32_t in = a32(io, 0), out = a32(io, 1), n = a32(io, 2);
       if (n == 0) return e_inval;
       if (!mv.ok(in, std::uint64_t{n} * 48) || !mv.ok(out, std::uint64_t{n} * 32)) return e_fault;
       std::uint64_t sleep_ns = ~0ull;
       for (std::uint32_t i = 0; i < n; ++i) {
         std::uint8_t tag;
         mv.get(in + i * 48 + 8, tag);
         if (tag == 0) {
           std::uint64_t timeout;
           std::uint16_t flags;
           mv.get(in + i * 48 + 24, timeout);
           mv.get(in + i * 48 + 40, flags);
           if (flags & 1) {
             struct timespec now{};
             clock_gettime(CLOCK_REALTIME, &now);
             timeout = timeout > ts(now) ? timeout - ts(now) : 0;
           }
           sleep_ns = std::min(sleep_ns, timeout);
         }
       }
       bool any_fd = false;
       std::uint32_t events = 0;
       for (std::uint32_t i = 0; i < n; ++i) {
         std::uint8_t tag;
         mv.get(in + i * 48 + 8, tag);
         if (tag != 0) any_fd = true;
       }
       if (!any_fd && sleep_ns != ~0ull) std::this_thread::sleep_for(std::chrono::nanoseconds(sleep_ns));
       for (std::uint32_t i = 0; i < n; ++i) {
         std::uint64_t userdata;
         std::uint8_t tag;
         mv.get(in + i * 48, userdata);
         mv.get(in + i * 48 + 8, tag);
         if (any_fd && tag == 0) continue;
         std::uint32_t o = out + events * 32;
         std::memset(mv.at(o), 0, 32);
         mv.put<std::uint64_t>(o, userdata);
         mv.put<std::uint8_t>(o + 10, tag);
         ++events;
       }
       return mv.put<std::uint32_t>(a32(io, 3), events) ? e_success : e_fault;
     }},
    {"sched_yield", ">i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_success; }},
    {"proc_raise", "i>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_nosys; }},
    {"sock_accept", "iii>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_nosys; }},
    {"sock_recv", "iiiiii>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_nosys; }},
    {"sock_send", "iiiii>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_nosys; }},
    {"sock_shutdown", "ii>i", [](wstate&, caller&, const mem_view&, io_t) -> std::uint32_t { return e_nosys; }},
};

func_type sig_type(std::string_view sig) {
  func_type ft;
  auto gt = sig.find('>');
  for (std::size_t i = 0; i < sig.size(); ++i) {
    if (i == gt) continue;
    valtype t = sig[i] == 'I' ? valtype::i64 : valtype::i32;
    (i < gt ? ft.params : ft.results).push_back(t);
  }
  return ft;
}

}  // namespace

wasi::wasi(wasi_config cfg) : s_(std::make_unique<state>()) {
  s_->cfg = std::move(cfg);
  auto std_entry = [](int host) {
    fd_entry e;
    e.host = host;
    e.open = true;
    e.own = false;
    struct stat st{};
    e.type = fstat(host, &st) == 0 ? filetype_of(st.st_mode) : ft_char;
    return e;
  };
  s_->fds.push_back(std_entry(s_->cfg.stdin_fd));
  s_->fds.push_back(std_entry(s_->cfg.stdout_fd));
  s_->fds.push_back(std_entry(s_->cfg.stderr_fd));
  for (auto& [host, guest] : s_->cfg.dirs) {
    fd_entry e;
    e.host = open(host.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (e.host < 0) continue;  // `wrt` checks the directories before building the context
    e.open = true;
    e.preopen = true;
    e.guest_path = guest;
    e.type = ft_dir;
    s_->fds.push_back(std::move(e));
  }
}

wasi::~wasi() {
  for (auto& e : s_->fds)
    if (e.open && e.own && e.host >= 0) close(e.host);
}

result<std::vector<extern_val>> wasi::imports(store& st, const binary::module& m) {
  static const std::unordered_map<std::string_view, const wasi_fn*> by_name = [] {
    std::unordered_map<std::string_view, const wasi_fn*> t;
    for (auto& f : wasi_fns) t.emplace(f.name, &f);
    return t;
  }();
  std::vector<extern_val> out;
  for (auto& im : m.imports) {
    if (im.module != "wasi_snapshot_preview1" && im.module != "wasi_unstable")
      return fail(diagnostic::error(span{im.offset, im.offset + 1}, fmt::format("unknown import: `{}::{}` has not been defined", im.module, im.name)));
    if (im.kind != binary::extern_kind::func)
      return fail(diagnostic::error(span{im.offset, im.offset + 1}, fmt::format("unknown import: `{}::{}` is not a function", im.module, im.name)));
    const func_type& want = m.types[im.func_type];
    if (im.name == "proc_exit") {
      if (want != func_type{{valtype::i32}, {}})
        return fail(diagnostic::error(span{im.offset, im.offset + 1}, "incompatible import type for `proc_exit`"));
      auto* f = st.host_func(want, "proc_exit", [](caller&, std::span<std::uint64_t> io) -> std::optional<trap> {
        int code = static_cast<int>(static_cast<std::uint32_t>(io[0]));
        return trap{trap_kind::exit, fmt::format("exit with status {}", code), {}, code};
      });
      out.push_back({binary::extern_kind::func, f});
      continue;
    }
    auto it = by_name.find(im.name);
    if (it == by_name.end())
      return fail(diagnostic::error(span{im.offset, im.offset + 1}, fmt::format("unknown import: `{}::{}` has not been defined", im.module, im.name)));
    func_type ft = sig_type(it->second->sig);
    if (ft != want)
      return fail(diagnostic::error(span{im.offset, im.offset + 1}, fmt::format("incompatible import type for `{}::{}`", im.module, im.name)));
    handler h = it->second->fn;
    state* s = s_.get();
    auto* f = st.host_func(ft, std::string(im.name), [s, h](caller& c, std::span<std::uint64_t> io) -> std::optional<trap> {
      mem_view mv{c.memory()};
      if (!mv.m) return trap{trap_kind::host_error, "WASI call without an exported memory", {}, 0};
      io[0] = h(*s, c, mv, io);
      return std::nullopt;
    });
    out.push_back({binary::extern_kind::func, f});
  }
  return out;
}

result<int> wasi::run_command(store& st, instance* inst) {
  func_inst* start = inst->export_func("_start");
  if (!start) return fail(diagnostic::global("the module exports no `_start` function"));
  auto r = st.call(start, {});
  if (r) return 0;
  if (st.last_trap() && st.last_trap()->kind == trap_kind::exit) return st.last_trap()->exit_code;
  return std::move(r).error();
}

}  // namespace witc::engine
