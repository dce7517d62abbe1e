#include "web/tracking_routes.hpp"

#include "services/link_destinations.hpp"
#include "services/tracking_event.hpp"
#include "services/tracking_token.hpp"
#include "web/page.hpp"
#include "web/routes.hpp"

namespace sm::web {
namespace {

using http::Request;
using http::Response;
using services::App;
using services::TrackingKind;

constexpr char kGif[] =
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00"
    "\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

struct Tracking {
  std::shared_ptr<services::EventWriter> writer;
  services::LinkDestinations links;
};

Response invalid_link(App& app) {
  return message_page(app, 404, "Link not valid",
                      "This link is not valid. It may have been copied incompletely; open it "
                      "from the email again.");
}

// Opens and clicks are events; a HEAD request (a proxy checking the URL) is not one.
void record(App& app, Tracking& t, const Request& req, const services::TrackingTarget& target) {
  if (req.method == http::Method::head) return;
  t.writer->record(
      services::classify_event(target, app.now(), req.do_not_track(), req.user_agent()));
}

Response open_pixel(App& app, Tracking& t, const Request& req) {
  std::string file = req.param("file");
  if (!file.ends_with(".gif")) return invalid_link(app);
  auto target = services::read_tracking_token(*app.keys, file.substr(0, file.size() - 4));
  if (!target || target->kind != TrackingKind::open) return invalid_link(app);
  record(app, t, req, *target);

  Response r;
  r.headers.set("Content-Type", "image/gif");
  r.headers.set("Cache-Control", "no-store");
  r.body = std::string(open_pixel_gif());
  return r;
}

Response click(App& app, Tracking& t, const Request& req) {
  auto target = services::read_tracking_token(*app.keys, req.param("token"));
  if (!target || target->kind != TrackingKind::click) return invalid_link(app);
  auto destination = t.links.find(app, *target);
  if (!destination.ok()) {
    return message_page(app, 503, "Try again shortly",
                        "This link cannot be followed right now. Please try again in a minute.");
  }
  if (!*destination) return invalid_link(app);
  record(app, t, req, *target);

  Response r;
  r.status = 302;
  r.headers.set("Location", **destination);
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("Referrer-Policy", "no-referrer");
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = "Found: " + **destination + "\n";
  return r;
}

}  // namespace

std::string_view open_pixel_gif() { return std::string_view(kGif, sizeof kGif - 1); }

void add_tracking_routes(http::Router& router, App& app,
                         std::shared_ptr<services::EventWriter> writer) {
  auto t = std::make_shared<Tracking>();
  t->writer = std::move(writer);
  // Checking the token and queueing the event take microseconds, so both run on the I/O
  // thread rather than paying a hand-over to the handler pool. The pixel never touches the
  // database on the way; the redirect does only when its campaign's links are not in the
  // cache (once a minute per campaign), a short query the I/O thread waits for.
  http::RouteOptions on_io_thread;
  on_io_thread.run_inline = true;
  router.get(
      "/o/{file}", [&app, t](Request& r) { return open_pixel(app, *t, r); }, on_io_thread);
  router.get(
      "/l/{token}", [&app, t](Request& r) { return click(app, *t, r); }, on_io_thread);
}

void add_tracking_routes(http::Router& router, App& app) {
  add_tracking_routes(router, app, std::make_shared<services::EventWriter>(app));
}

}  // namespace sm::web
