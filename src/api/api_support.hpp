// What every API handler shares: the bearer-key check, problem+json errors, JSON bodies.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "http/message.hpp"
#include "services/app.hpp"

namespace sm::api {

// An application/problem+json reply for `e`, with the status its code maps to and, for a
// field error, the member "field" naming the JSON member it is about.
http::Response problem(const Error& e);

// The account of the request's `Authorization: Bearer KEY`.
Result<std::int64_t> authenticate(services::App& app, const http::Request& req);

// The request body as a JSON object, or an invalid_input error saying what is wrong with it.
Result<nlohmann::json> json_body(const http::Request& req);

// The path parameter `name` ("{id}") as a row id; nullopt when it is not a positive number.
std::optional<std::int64_t> path_id(const http::Request& req, const std::string& name = "id");

// A 200 (or `status`) reply with `body` as JSON.
http::Response json_reply(const nlohmann::json& body, int status = 200);

}  // namespace sm::api
