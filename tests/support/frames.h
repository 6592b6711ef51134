// Reading sluice's ZeroMQ messages in tests.
#pragma once

#include <gtest/gtest.h>

#include <zmq.hpp>

#include "pipeline/deliver/publisher.h"

namespace sluice::test {

// The epoch and seq of a header frame; a frame that is not one fails the test.
inline pipeline::FrameHeader header_of(const zmq::message_t& frame) {
  const auto header = pipeline::read_frame_header(frame.to_string_view());
  EXPECT_TRUE(header) << "a header frame of " << frame.size() << " bytes";
  return header.value_or(pipeline::FrameHeader{});
}

}  // namespace sluice::test
