// The public tracking endpoints: the open pixel /o/{token}.gif and the click redirect
// /l/{token}. Both set no cookie and answer without waiting for the database to write the
// event (services/event_writer.hpp); a token that is damaged, changed, made elsewhere or for
// a link the campaign does not have gets a plain 404 page, never a redirect.
//
// The routes own their event writer: it lives as long as the router's handlers, so
// destroying the router (after the server stopped) writes what is still queued. REQUIRES:
// the App outlives the router.
#pragma once

#include <memory>

#include "http/router.hpp"
#include "services/app.hpp"
#include "services/event_writer.hpp"

namespace sm::web {

// The 1x1 transparent GIF the pixel answers with (43 bytes).
std::string_view open_pixel_gif();

// As add_tracking_routes (web/routes.hpp), with a writer the caller keeps (tests flush it).
void add_tracking_routes(http::Router& router, services::App& app,
                         std::shared_ptr<services::EventWriter> writer);

}  // namespace sm::web
