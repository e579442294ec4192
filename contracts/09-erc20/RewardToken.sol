// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Reward points: minters create them, holders burn their own, the admin picks minters.
/// Check it with `sollab check 09-erc20/roles --source RewardToken.sol`. (Built on OpenZeppelin
/// here; writing the roles yourself is fine too.)
contract RewardToken is ERC20, AccessControl {
    constructor() ERC20("Reward Points", "RWD") {
        // YOUR CODE HERE: give the deployer DEFAULT_ADMIN_ROLE and MINTER_ROLE.
    }

    // YOUR CODE HERE: MINTER_ROLE, mint(address to, uint256 amount), burn(uint256 amount).
}
