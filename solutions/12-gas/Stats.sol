// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Running statistics of recorded samples (lesson 12, instructor's solution).
contract Stats {
    uint256 public count;
    uint256 public sum;
    uint256 public max;

    /// @notice record() was given no samples.
    error NoSamples();

    /// @notice Add `samples` to the statistics (at least one).
    function record(uint256[] calldata samples) external {
        uint256 n = samples.length;
        if (n == 0) revert NoSamples();
        // Read each state variable once, work on the copies, write each once.
        uint256 total = sum;
        uint256 highest = max;
        for (uint256 i = 0; i < n; ) {
            uint256 sample = samples[i];
            total += sample; // checked: a sum can overflow, and must revert if it does
            if (sample > highest) highest = sample;
            unchecked {
                ++i; // i < n: cannot overflow
            }
        }
        unchecked {
            count += n; // at most one per calldata word: never near 2**256
        }
        sum = total;
        if (highest != max) max = highest;
    }

    /// @notice The mean of every sample so far, rounded down (0 before the first).
    function mean() external view returns (uint256) {
        uint256 n = count;
        return n == 0 ? 0 : sum / n;
    }
}
