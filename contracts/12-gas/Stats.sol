// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Running statistics of recorded samples (lesson 12's starter: it works, but it wastes gas).
contract Stats {
    uint256 public count;
    uint256 public sum;
    uint256 public max;

    /// @notice Add `samples` to the statistics (at least one).
    function record(uint256[] memory samples) public {
        require(samples.length > 0, "Stats: record needs at least one sample to add");
        for (uint256 i = 0; i < samples.length; i++) {
            count = count + 1;
            sum = sum + samples[i];
            if (samples[i] > max) {
                max = samples[i];
            }
        }
    }

    /// @notice The mean of every sample so far, rounded down (0 before the first).
    function mean() public view returns (uint256) {
        if (count == 0) {
            return 0;
        }
        return sum / count;
    }
}
