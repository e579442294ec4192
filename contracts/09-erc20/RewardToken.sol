// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Reward points: minters create them, holders burn their own, the admin picks minters.
/// Check it with `sollab check 09-erc20/roles --source RewardToken.sol`.
/// Build it on OpenZeppelin (ERC20 and AccessControl) or write the roles yourself.
contract RewardToken {
    // YOUR CODE HERE: an ERC-20 with MINTER_ROLE, DEFAULT_ADMIN_ROLE, hasRole, grantRole,
    // revokeRole, the RoleGranted and RoleRevoked events, mint(address,uint256), burn(uint256).
}
