// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title A crowdfunding campaign in an ERC-20 token.
/// @notice Backers pledge tokens until the deadline; if the goal is met the creator claims the
/// funds in milestones, otherwise each backer takes back exactly what they pledged.
contract Crowdfund {
    // YOUR CODE HERE
}
