// A test-side X11 drag-and-drop source: drops files on a window the way a file
// manager does (the XDND protocol, version 5), so the app's tests exercise
// GLFW's real drop path under Xvfb, not a call into the app.
//   mrrope-xdnd-drop WINDOW_TITLE FILE... (DISPLAY from the environment)
// Waits up to 60 s for a mapped window of that title, then: XdndEnter with
// text/uri-list, XdndPosition at the window's centre, XdndStatus (must accept),
// XdndDrop, the file:// URIs served from the XdndSelection, XdndFinished
// (must say accepted). Exits 0 when the target accepted the drop.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

namespace {

Display* dpy = nullptr;

Atom atom(const char* name) { return XInternAtom(dpy, name, False); }

// The first viewable window under `w` titled `title`, depth first.
Window find_window(Window w, const std::string& title) {
  char* name = nullptr;
  if (XFetchName(dpy, w, &name) && name) {
    const bool match = title == name;
    XFree(name);
    XWindowAttributes a;
    if (match && XGetWindowAttributes(dpy, w, &a) && a.map_state == IsViewable) return w;
  }
  Window root, parent, *children = nullptr;
  unsigned int n = 0;
  if (!XQueryTree(dpy, w, &root, &parent, &children, &n)) return 0;
  Window found = 0;
  for (unsigned int i = 0; i < n && !found; ++i) found = find_window(children[i], title);
  if (children) XFree(children);
  return found;
}

// "file:///a%20b.txt\r\n" per file, as file managers write text/uri-list.
std::string uri_list(int count, char** files) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    const std::string path = std::filesystem::absolute(files[i]).string();
    out += "file://";
    for (unsigned char c : path) {
      if (std::isalnum(c) || std::strchr("/-_.~", c)) out += char(c);
      else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        out += hex;
      }
    }
    out += "\r\n";
  }
  return out;
}

void send_client(Window to, Atom type, long l0, long l1, long l2, long l3, long l4) {
  XEvent e{};
  e.xclient.type = ClientMessage;
  e.xclient.display = dpy;
  e.xclient.window = to;
  e.xclient.message_type = type;
  e.xclient.format = 32;
  e.xclient.data.l[0] = l0, e.xclient.data.l[1] = l1, e.xclient.data.l[2] = l2;
  e.xclient.data.l[3] = l3, e.xclient.data.l[4] = l4;
  XSendEvent(dpy, to, False, NoEventMask, &e);
  XFlush(dpy);
}

int fail(const char* why) {
  std::fprintf(stderr, "mrrope-xdnd-drop: %s\n", why);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: mrrope-xdnd-drop WINDOW_TITLE FILE...\n"), 2;
  dpy = XOpenDisplay(nullptr);
  if (!dpy) return fail("cannot open the X display (DISPLAY)");
  const Window root = DefaultRootWindow(dpy);
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  Window target = 0;
  while (!(target = find_window(root, argv[1]))) {
    if (seconds() > 60) return fail("no window with that title appeared within 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const Atom aware = atom("XdndAware"), enter = atom("XdndEnter"), position = atom("XdndPosition"),
             status = atom("XdndStatus"), drop = atom("XdndDrop"), finished = atom("XdndFinished"),
             leave = atom("XdndLeave"), selection = atom("XdndSelection"), copy = atom("XdndActionCopy"),
             uri_type = atom("text/uri-list");
  // The target says which protocol version it speaks.
  Atom type;
  int format;
  unsigned long items = 0, after = 0;
  unsigned char* data = nullptr;
  if (XGetWindowProperty(dpy, target, aware, 0, 1, False, XA_ATOM, &type, &format, &items, &after, &data) != Success ||
      items == 0)
    return fail("the window is not XdndAware");
  const long version = std::min<long>(5, long(*reinterpret_cast<Atom*>(data)));
  XFree(data);

  const Window source = XCreateSimpleWindow(dpy, root, 0, 0, 1, 1, 0, 0, 0);
  XSetSelectionOwner(dpy, selection, source, CurrentTime);
  const std::string uris = uri_list(argc - 2, argv + 2);

  XWindowAttributes a;
  XGetWindowAttributes(dpy, target, &a);
  int x = 0, y = 0;
  Window child;
  XTranslateCoordinates(dpy, target, root, a.width / 2, a.height / 2, &x, &y, &child);
  send_client(target, enter, long(source), version << 24, long(uri_type), 0, 0);
  send_client(target, position, long(source), 0, (long(x) << 16) | long(y), CurrentTime, long(copy));

  bool accepted = false, dropped = false;
  while (seconds() < 90) {
    if (!XPending(dpy)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    XEvent e;
    XNextEvent(dpy, &e);
    if (e.type == ClientMessage && e.xclient.message_type == status) {
      accepted = e.xclient.data.l[1] & 1;
      if (!accepted) {
        send_client(target, leave, long(source), 0, 0, 0, 0);
        return fail("the window did not accept text/uri-list");
      }
      if (!dropped) send_client(target, drop, long(source), 0, CurrentTime, 0, 0), dropped = true;
    } else if (e.type == SelectionRequest) {  // the target asks for the files
      const XSelectionRequestEvent& r = e.xselectionrequest;
      XEvent reply{};
      reply.xselection.type = SelectionNotify;
      reply.xselection.display = dpy;
      reply.xselection.requestor = r.requestor;
      reply.xselection.selection = r.selection;
      reply.xselection.target = r.target;
      reply.xselection.time = r.time;
      reply.xselection.property = None;
      if (r.target == uri_type) {
        XChangeProperty(dpy, r.requestor, r.property, uri_type, 8, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(uris.data()), int(uris.size()));
        reply.xselection.property = r.property;
      }
      XSendEvent(dpy, r.requestor, False, NoEventMask, &reply);
      XFlush(dpy);
    } else if (e.type == ClientMessage && e.xclient.message_type == finished) {
      // XDND 5 says bit 0 of l[1] is "accepted"; GLFW 3.3 puts the byte count
      // of the URI list it read there instead (odd or even with the path's
      // length), so any non-zero value is taken as accepted and 0 as refused.
      const bool ok = version < 5 || e.xclient.data.l[1] != 0;
      if (!ok) return fail("the window finished the drop without accepting it");
      std::printf("mrrope-xdnd-drop: dropped %d file(s) on '%s' (XDND version %ld)\n", argc - 2, argv[1], version);
      XCloseDisplay(dpy);
      return 0;
    }
  }
  return fail(dropped ? "the drop was not finished within 90 s" : "no XdndStatus within 90 s");
}
