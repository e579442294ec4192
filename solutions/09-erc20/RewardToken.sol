// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Reward points: minters create them, holders burn their own, the admin picks minters.
contract RewardToken is ERC20, AccessControl {
    constructor() ERC20("Reward Points", "RWD") {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _grantRole(MINTER_ROLE, msg.sender);
    }

    /// @notice The role allowed to mint.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @notice Create `amount` new tokens for `to` (minters only).
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Destroy `amount` of your own tokens.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }
}
